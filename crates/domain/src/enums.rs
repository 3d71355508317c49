//! The closed value sets of the programme, defined once. The database's column types
//! (`entity`) and the GraphQL enums (`api`) mirror these with conversions the compiler checks
//! both ways: a variant added here fails to build until it is added there, and the other way.

/// Declares a closed set with the code each value has in the API, tokens and the database.
macro_rules! closed_set {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value as the API, tokens and the database spell it.
            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code),+
                }
            }

            /// The value spelled `code`, if any.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

closed_set! {
    /// What a user may do; see the README's table "Who may do what".
    Role {
        /// National programme staff: everything, in every city.
        Admin = "ADMIN",
        /// Staff of one city: everything in that city.
        CityAdmin = "CITY_ADMIN",
        /// Programme staff who support several matches in one city, often in the household's
        /// language: the matches assigned to them, and the household's own check-in answers.
        CommunityBuilder = "COMMUNITY_BUILDER",
        /// The coordinator of one welcome group: that group and its match.
        Coordinator = "COORDINATOR",
        /// Researchers: anonymised exports and statistics, no personal data.
        Analyst = "ANALYST",
        /// A partner app's service account: registers newcomers and groups in its city.
        Partner = "PARTNER",
    }
}

closed_set! {
    /// Where a welcome group stands.
    GroupStatus {
        Forming = "FORMING",
        Ready = "READY",
        Matched = "MATCHED",
        Completed = "COMPLETED",
        Withdrawn = "WITHDRAWN",
    }
}

closed_set! {
    /// Where a newcomer household stands.
    NewcomerStatus {
        Waiting = "WAITING",
        Matched = "MATCHED",
        Completed = "COMPLETED",
        Withdrawn = "WITHDRAWN",
    }
}

closed_set! {
    /// Gender of a newcomer's primary contact.
    Gender {
        Female = "FEMALE",
        Male = "MALE",
        Other = "OTHER",
        Undisclosed = "UNDISCLOSED",
    }
}

closed_set! {
    /// Common European Framework of Reference level; A0 means no Dutch yet.
    CefrLevel {
        A0 = "A0",
        A1 = "A1",
        A2 = "A2",
        B1 = "B1",
        B2 = "B2",
        C1 = "C1",
        C2 = "C2",
    }
}

closed_set! {
    /// Where a match stands.
    MatchStatus {
        Proposed = "PROPOSED",
        Active = "ACTIVE",
        Completed = "COMPLETED",
        EndedEarly = "ENDED_EARLY",
        Rejected = "REJECTED",
    }
}

closed_set! {
    /// Where a matching run stands.
    RunStatus {
        DryRun = "DRY_RUN",
        Proposed = "PROPOSED",
        Decided = "DECIDED",
    }
}

closed_set! {
    /// What a notification is about (README "Notifications" says who gets each).
    EventKind {
        /// A round proposed matches, or staff proposed one by hand: decisions wait.
        MatchesProposed = "MATCHES_PROPOSED",
        /// A proposal was accepted: the year starts.
        MatchAccepted = "MATCH_ACCEPTED",
        /// A proposal was declined.
        MatchRejected = "MATCH_REJECTED",
        /// A match ended before its year was over.
        MatchEnded = "MATCH_ENDED",
        /// A match completed its year.
        MatchCompleted = "MATCH_COMPLETED",
        /// A check-in (month 3, 6 or 12, or the exit one) fell due.
        CheckInDue = "CHECK_IN_DUE",
        /// A check-in is overdue.
        CheckInOverdue = "CHECK_IN_OVERDUE",
        /// A match is past its planned end and can be completed.
        MatchDueForCompletion = "MATCH_DUE_FOR_COMPLETION",
        /// A waiting household should be asked whether it still wants a group.
        ReconfirmationDue = "RECONFIRMATION_DUE",
        /// A city published a new version of its scoring script.
        ScriptPublished = "SCRIPT_PUBLISHED",
    }
}

closed_set! {
    /// How a person gets one kind of notification.
    DeliveryMode {
        /// An e-mail as soon as it happens.
        Immediate = "IMMEDIATE",
        /// One e-mail a day with everything of that day.
        Digest = "DIGEST",
        /// Not at all.
        Off = "OFF",
    }
}

closed_set! {
    /// Where a delivery stands.
    DeliveryStatus {
        /// Not sent yet, or to be tried again.
        Pending = "PENDING",
        /// Sent (the SMTP server took it, or the receiver answered 2xx).
        Sent = "SENT",
        /// Given up after the retry window; can be sent again by hand.
        Failed = "FAILED",
    }
}

closed_set! {
    /// How a delivery travels.
    Channel {
        Email = "EMAIL",
        Webhook = "WEBHOOK",
    }
}

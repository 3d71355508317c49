//! Domain value sets that are stored inside JSON lists rather than in columns of their own.

use serde::{Deserialize, Serialize};

/// What a newcomer hopes the year brings. Stored lower-case (`"work"`), as scripts see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Goal {
    /// Finding work.
    Work,
    /// Study or vocational training.
    Study,
    /// Learning Dutch.
    Language,
    /// Building a social network.
    SocialNetwork,
    /// Letters, appointments, the practical side of life.
    PracticalMatters,
}

impl Goal {
    pub fn as_str(self) -> &'static str {
        match self {
            Goal::Work => "work",
            Goal::Study => "study",
            Goal::Language => "language",
            Goal::SocialNetwork => "social_network",
            Goal::PracticalMatters => "practical_matters",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Goal::Work, Goal::Study, Goal::Language, Goal::SocialNetwork, Goal::PracticalMatters]
            .into_iter()
            .find(|g| g.as_str() == s)
    }
}

/// How well a newcomer speaks a language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LanguageLevel {
    /// A first language.
    Native,
    /// Fluent in daily life.
    Fluent,
    /// Basic conversation.
    Basic,
}

impl LanguageLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LanguageLevel::Native => "native",
            LanguageLevel::Fluent => "fluent",
            LanguageLevel::Basic => "basic",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [LanguageLevel::Native, LanguageLevel::Fluent, LanguageLevel::Basic].into_iter().find(|l| l.as_str() == s)
    }
}

/// Who took a decision on a match: the household, the group, or programme staff on their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DecisionSide {
    Household,
    Group,
    #[default]
    Staff,
}

impl DecisionSide {
    pub const ALL: [Self; 3] = [Self::Household, Self::Group, Self::Staff];

    pub fn code(self) -> &'static str {
        match self {
            Self::Household => "HOUSEHOLD",
            Self::Group => "GROUP",
            Self::Staff => "STAFF",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Why a proposal was declined. Some reasons are about the moment, not the pair: after them
/// the pair may be proposed again once the city's pause has passed; after the others, never.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeclineReason {
    /// Not now: a move, an exam, a birth, a busy season.
    Timing,
    /// One side is away or unavailable for a while.
    TemporarilyUnavailable,
    /// The introduction showed no connection.
    NoConnection,
    /// A conflict or a safety concern.
    Conflict,
    /// Too far apart to meet often.
    Distance,
    /// No language to talk in.
    Language,
    /// The household's needs are more than the group can support.
    Needs,
    /// The household is larger than the group can welcome.
    Capacity,
    #[default]
    Other,
}

impl DeclineReason {
    pub const ALL: [Self; 9] = [
        Self::Timing,
        Self::TemporarilyUnavailable,
        Self::NoConnection,
        Self::Conflict,
        Self::Distance,
        Self::Language,
        Self::Needs,
        Self::Capacity,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Timing => "TIMING",
            Self::TemporarilyUnavailable => "TEMPORARILY_UNAVAILABLE",
            Self::NoConnection => "NO_CONNECTION",
            Self::Conflict => "CONFLICT",
            Self::Distance => "DISTANCE",
            Self::Language => "LANGUAGE",
            Self::Needs => "NEEDS",
            Self::Capacity => "CAPACITY",
            Self::Other => "OTHER",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the pair may be proposed again after the city's pause (the reason was the
    /// moment, not the pair).
    pub fn allows_reproposal(self) -> bool {
        matches!(self, Self::Timing | Self::TemporarilyUnavailable)
    }
}

#[cfg(test)]
mod decision_tests {
    use super::*;

    #[test]
    fn codes_read_back_and_only_reasons_of_the_moment_allow_another_proposal() {
        for r in DeclineReason::ALL {
            assert_eq!(DeclineReason::parse(r.code()), Some(r));
        }
        for s in DecisionSide::ALL {
            assert_eq!(DecisionSide::parse(s.code()), Some(s));
        }
        let again: Vec<_> = DeclineReason::ALL.into_iter().filter(|r| r.allows_reproposal()).collect();
        assert_eq!(again, [DeclineReason::Timing, DeclineReason::TemporarilyUnavailable]);
    }
}

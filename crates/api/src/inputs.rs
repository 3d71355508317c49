//! The input objects and enums of the contract whose values the services take. Each mirrors a
//! plain type of the service that checks it: enums through `remote` (the compiler checks the
//! variants both ways), input objects through a `From` that names every field (a field added
//! to the service's type fails to build until it is added here). The descriptions partner
//! developers read are written here.

use async_graphql::{Enum, ID, InputObject};

use crate::enums::{CefrLevel, Gender, Goal, LanguageLevel};
use crate::scalars::Date;
use services::{audit, groups, newcomers, rounds, year};

/// One language a newcomer speaks.
#[derive(InputObject, Clone, Debug)]
pub struct LanguageSkillInput {
    /// ISO 639-1 code: "ar", "ti", "fa", ...
    pub code: String,
    /// How well.
    pub level: LanguageLevel,
}

/// A newcomer household to register.
#[derive(InputObject, Clone, Debug)]
pub struct RegisterNewcomerInput {
    /// Slug of the city the household lives in.
    pub city_slug: String,
    /// Full name of the primary contact (1-200 characters).
    pub name: String,
    /// E-mail address of the primary contact.
    pub email: Option<String>,
    /// Phone number, 6-15 digits, optionally with a leading +.
    pub phone: Option<String>,
    /// Year of birth of the primary contact (at least 16 years old).
    pub birth_year: i32,
    /// Gender of the primary contact.
    pub gender: Gender,
    /// ISO 3166-1 alpha-2 code of the country of origin, e.g. "SY".
    pub country_of_origin: String,
    /// Languages spoken, each code once.
    pub languages: Vec<LanguageSkillInput>,
    /// Level of Dutch now (CEFR).
    pub dutch_level: CefrLevel,
    /// Lower-case interest tags.
    pub interests: Vec<String>,
    /// Sector of work or training, e.g. "healthcare".
    pub sector: Option<String>,
    /// Education, in a few words (at most 200 characters).
    pub education: Option<String>,
    /// What the household hopes the year brings.
    pub goals: Vec<Goal>,
    /// Adults in the household, 1-10.
    pub household_adults: i32,
    /// Ages of the children, each 0-17.
    pub children_ages: Vec<i32>,
    /// Date of arrival in the Netherlands (not in the future).
    pub arrival_date: Date,
    /// Neighbourhood the household lives in.
    pub neighbourhood: Option<String>,
    /// Preferences and needs matchers should know (at most 2000 characters).
    pub needs: Option<String>,
    /// What the group may call them; default: the first word of `name`.
    pub preferred_name: Option<String>,
    /// Whether contact details may be shared with the group's coordinator.
    #[graphql(default = false)]
    pub share_contact_with_group: bool,
    /// Date the person agreed to the privacy notice.
    pub consent_date: Option<Date>,
    /// Version of the privacy notice they agreed to, e.g. "2026-01".
    pub privacy_notice_version: Option<String>,
    /// A retried registration with the same key (from the same account) returns the same
    /// newcomer instead of a duplicate. 1-200 characters.
    pub idempotency_key: Option<String>,
    /// The baseline taken at registration (network size, work or study, Dutch level,
    /// well-being), to measure the year against. Optional; `recordBaseline` takes it later.
    pub baseline: Option<BaselineInput>,
}

/// Changes to a newcomer; fields left out stay as they are. Optional text fields are cleared
/// with an empty string.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UpdateNewcomerInput {
    /// Full name of the primary contact (1-200 characters).
    pub name: Option<String>,
    /// E-mail address; an empty string clears it.
    pub email: Option<String>,
    /// Phone number, 6-15 digits, optionally with a leading +; an empty string clears it.
    pub phone: Option<String>,
    /// Year of birth of the primary contact (at least 16 years old).
    pub birth_year: Option<i32>,
    /// Gender of the primary contact.
    pub gender: Option<Gender>,
    /// ISO 3166-1 alpha-2 code of the country of origin.
    pub country_of_origin: Option<String>,
    /// Languages spoken, each code once; replaces the old list.
    pub languages: Option<Vec<LanguageSkillInput>>,
    /// Level of Dutch now (CEFR).
    pub dutch_level: Option<CefrLevel>,
    /// Lower-case interest tags; replaces the old list.
    pub interests: Option<Vec<String>>,
    /// Sector of work or training; an empty string clears it.
    pub sector: Option<String>,
    /// Education, in a few words (at most 200 characters); an empty string clears it.
    pub education: Option<String>,
    /// What the household hopes the year brings; replaces the old list.
    pub goals: Option<Vec<Goal>>,
    /// Adults in the household, 1-10.
    pub household_adults: Option<i32>,
    /// Ages of the children, each 0-17; replaces the old list.
    pub children_ages: Option<Vec<i32>>,
    /// Date of arrival in the Netherlands (not in the future).
    pub arrival_date: Option<Date>,
    /// Neighbourhood the household lives in; an empty string clears it.
    pub neighbourhood: Option<String>,
    /// Preferences and needs matchers should know (at most 2000 characters); an empty string
    /// clears them.
    pub needs: Option<String>,
    /// What the group may call them.
    pub preferred_name: Option<String>,
    /// Whether contact details may be shared with the group's coordinator.
    pub share_contact_with_group: Option<bool>,
    /// Date the person agreed to the privacy notice.
    pub consent_date: Option<Date>,
    /// Version of the privacy notice they agreed to.
    pub privacy_notice_version: Option<String>,
    /// The `version` you read; when the newcomer changed since, the update answers CONFLICT.
    pub expected_version: Option<i32>,
}

/// A new welcome group.
#[derive(InputObject, Clone, Debug)]
pub struct CreateWelcomeGroupInput {
    /// Slug of the city the group belongs to, e.g. "almere".
    pub city_slug: String,
    /// The group's name as its members know it (1-200 characters).
    pub name: String,
    /// Neighbourhood the members live in (at most 200 characters).
    pub neighbourhood: Option<String>,
    /// Largest household (persons) the group can support, 1-20.
    pub capacity: i32,
    /// ISO 639-1 codes of the languages the group speaks as a whole: "nl", "en", "ar", ...
    pub languages: Vec<String>,
    /// Lower-case interest tags: "cooking", "football", ...
    pub interests: Vec<String>,
    /// Hours a month the group expects to spend together, 0-200.
    pub availability_hours_per_month: Option<i32>,
    /// Preferences the group wants matchers to know (at most 2000 characters).
    pub preferences: Option<String>,
    /// The day of the group's intake conversation with staff (screening), if held already.
    pub intake_held_on: Option<Date>,
    /// The day the group attended the preparation meeting (screening), if it did already.
    pub preparation_attended_on: Option<Date>,
}

/// Changes to a welcome group; fields left out stay as they are.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UpdateWelcomeGroupInput {
    /// New name (1-200 characters).
    pub name: Option<String>,
    /// New neighbourhood; an empty string clears it.
    pub neighbourhood: Option<String>,
    /// New capacity, 1-20.
    pub capacity: Option<i32>,
    /// New languages (ISO 639-1), replacing the old list.
    pub languages: Option<Vec<String>>,
    /// New interests, replacing the old list.
    pub interests: Option<Vec<String>>,
    /// New availability in hours a month, 0-200.
    pub availability_hours_per_month: Option<i32>,
    /// New preferences; an empty string clears them.
    pub preferences: Option<String>,
    /// The day of the group's intake conversation with staff (screening; not in the future).
    pub intake_held_on: Option<Date>,
    /// The day the group attended the preparation meeting (screening; not in the future).
    pub preparation_attended_on: Option<Date>,
    /// The `version` you read; when the group changed since, the update answers CONFLICT.
    pub expected_version: Option<i32>,
}

/// A volunteer joining a group.
#[derive(InputObject, Clone, Debug)]
pub struct GroupMemberInput {
    /// Full name (1-200 characters).
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Phone number, 6-15 digits, optionally with a leading +.
    pub phone: Option<String>,
    /// Year of birth; volunteers are at least 18.
    pub birth_year: i32,
    /// ISO 639-1 codes of the languages the member speaks.
    pub languages: Vec<String>,
    /// Lower-case interest tags.
    pub interests: Vec<String>,
    /// Sector the member works or worked in, e.g. "healthcare", "it", "education".
    pub sector: Option<String>,
    /// Whether this member is the group's coordinator and contact person (one per group).
    pub is_coordinator: bool,
    /// Date the certificate of conduct (VOG) was received, if it was.
    pub vog_received_on: Option<Date>,
}

/// The details of a group member to change; a field left out stays as it is.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UpdateGroupMemberInput {
    /// Full name (1-200 characters).
    pub name: Option<String>,
    /// E-mail address (unique in the group).
    pub email: Option<String>,
    /// Phone number, 6-15 digits, optionally with a leading +; an empty string removes it.
    pub phone: Option<String>,
    /// Year of birth; volunteers are at least 18.
    pub birth_year: Option<i32>,
    /// ISO 639-1 codes of the languages the member speaks (replaces the list).
    pub languages: Option<Vec<String>>,
    /// Lower-case interest tags (replaces the list).
    pub interests: Option<Vec<String>>,
    /// Sector the member works or worked in; an empty string removes it.
    pub sector: Option<String>,
    /// Date the certificate of conduct (VOG) was received (not in the future).
    pub vog_received_on: Option<Date>,
    /// The group's `version` you read; when the group or its members changed since, the
    /// update answers CONFLICT.
    pub expected_version: Option<i32>,
}

/// An activity to log.
#[derive(InputObject, Clone, Debug)]
pub struct ActivityInput {
    /// When it happened: not in the future, not before the match started.
    pub date: Date,
    /// What they did.
    pub kind: ActivityKind,
    /// Minutes, 1-1440.
    pub duration_minutes: i32,
    /// People taking part, 1-50.
    pub participants: i32,
    /// Free text, at most 2000 characters. Personal data: never exported.
    pub notes: Option<String>,
}

/// A check-in to record: the group's view (its coordinator's answers, or staff's). The
/// household's own answers are its view: `recordHouseholdCheckIn`.
#[derive(InputObject, Clone, Debug)]
pub struct CheckInInput {
    /// 3, 6 or 12: months since the start; 0 for the exit check-in after an early end.
    pub month: i32,
    /// 1-5: how the group sees the household's satisfaction (the household's own answer is in
    /// its view of the check-in).
    pub newcomer_satisfaction: i32,
    /// 1-5, asked of the group.
    pub group_satisfaction: i32,
    /// The newcomer's Dutch level now.
    pub dutch_level: CefrLevel,
    /// The newcomer's work or education now.
    pub work_status: WorkStatus,
    /// People in the newcomer's social network beyond the group, 0-1000.
    pub network_size: i32,
    /// Free text, at most 2000 characters. Personal data: never exported.
    pub notes: Option<String>,
}

/// The household's own answers at a check-in, asked without the group present (by a community
/// builder or staff). Never readable by the group.
#[derive(InputObject, Clone, Debug)]
pub struct HouseholdCheckInInput {
    /// 3, 6 or 12: months since the start; 0 for the exit check-in after an early end.
    pub month: i32,
    /// 1-5: the household's satisfaction with the match.
    pub satisfaction: i32,
    /// 1-5: the household's well-being (as at the baseline).
    pub wellbeing: i32,
    /// The household's Dutch level now.
    pub dutch_level: CefrLevel,
    /// Work or education now.
    pub work_status: WorkStatus,
    /// People in the household's social network beyond the group, 0-1000.
    pub network_size: i32,
    /// Free text, at most 2000 characters. Personal data: never exported.
    pub notes: Option<String>,
}

/// The baseline of a household at registration.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct BaselineInput {
    /// People in the household's social network, 0-1000.
    pub network_size: i32,
    /// Work or education.
    pub work_status: WorkStatus,
    /// Level of Dutch (CEFR).
    pub dutch_level: CefrLevel,
    /// 1-5.
    pub wellbeing: i32,
}

/// A newcomer and a group.
#[derive(InputObject, Clone, Debug)]
pub struct PairInput {
    /// Id of the newcomer household.
    pub newcomer_id: ID,
    /// Id of the welcome group.
    pub group_id: ID,
    /// Locked pairs only: staff's reason (1-500 characters) to propose the pair although the
    /// city's script finds it ineligible (an override; stored on the match and audited). Without
    /// it, an ineligible locked pair is refused.
    pub override_reason: Option<String>,
}

/// A matching round for one city.
#[derive(InputObject, Clone, Debug)]
pub struct RunMatchingInput {
    /// The city whose WAITING newcomers and READY groups are matched.
    pub city_slug: String,
    /// A dry run stores only the run record (its pairs included), no matches.
    #[graphql(default = false)]
    pub dry_run: bool,
    #[graphql(default_with = "MatchingObjective::MaxMatchesThenScore")]
    /// What the round optimises (default MAX_MATCHES_THEN_SCORE).
    pub objective: MatchingObjective,
    /// Pairs that must be in the result.
    #[graphql(default)]
    pub locked_pairs: Vec<PairInput>,
    /// Pairs that must not be.
    #[graphql(default)]
    pub excluded_pairs: Vec<PairInput>,
}

/// Filters of `auditLog`.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AuditFilter {
    /// Only entries about this city.
    pub city_slug: Option<String>,
    /// Only this kind of record: "newcomer", "welcome_group", "match", "scoring_script", ...
    pub entity_type: Option<String>,
    /// Only this record.
    pub entity_id: Option<String>,
    /// Only this action: "newcomer.register", "match.accept", ...
    pub action: Option<String>,
    /// Only this user's actions.
    pub actor_id: Option<String>,
}

/// Filters of `contactReads`.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ContactReadFilter {
    /// Only reads of records in this city.
    pub city_slug: Option<String>,
    /// Only reads of this record (a newcomer's or a group member's id).
    pub entity_id: Option<String>,
    /// Only this user's reads.
    pub actor_id: Option<String>,
}

/// What the group and household did together.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "services::year::ActivityKind")]
pub enum ActivityKind {
    /// A meal together.
    Meal,
    /// Practising Dutch.
    LanguagePractice,
    /// Letters, forms and appointments.
    LettersAndAdmin,
    /// Thinking along about work and study.
    WorkAndEducation,
    /// An outing: a walk, a museum, a match, a market.
    SocialOuting,
    /// Anything else.
    Other,
}

/// Work or education status at a check-in.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "services::year::WorkStatus")]
pub enum WorkStatus {
    /// No work or education yet, and not looking.
    None,
    /// Looking for work or a course.
    Searching,
    /// Volunteer work.
    Volunteering,
    /// A course, training or study.
    Education,
    /// Paid work, part time.
    PartTimeWork,
    /// Paid work, full time.
    FullTimeWork,
}

/// Why a match ended early.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "services::year::EndReason")]
pub enum EndReason {
    /// The household moved away.
    NewcomerMoved,
    /// The group fell apart.
    GroupDissolved,
    /// No connection grew between them.
    NoConnection,
    /// The household asked to stop.
    NewcomerRequest,
    /// The group asked to stop.
    GroupRequest,
    /// Another reason, told in words.
    Other,
}

/// Who took a decision on a match.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::values::DecisionSide")]
pub enum DecisionSide {
    /// The household declined or asked to stop.
    Household,
    /// The group declined or asked to stop.
    Group,
    /// Programme staff decided on their own.
    Staff,
}

/// Why a proposal was declined. TIMING and TEMPORARILY_UNAVAILABLE are about the moment: the
/// pair may be proposed again once the city's pause (`City.settings.declinePauseDays`) has
/// passed. After any other reason the pair is never proposed again.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::values::DeclineReason")]
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
    /// Another reason, told in words.
    Other,
}

/// A city's settings to change; a field left out stays as it is.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CitySettingsInput {
    /// Days after a decline for TIMING or TEMPORARILY_UNAVAILABLE before the pair may be
    /// proposed again, 0-730 (default 90).
    pub decline_pause_days: Option<i32>,
    /// The fewest members of a READY group, 1-30 (default 5).
    pub min_group_size: Option<i32>,
    /// Whether a group needs its screening (every member's certificate of conduct, the intake
    /// conversation, the preparation meeting) before it becomes READY (default true).
    pub screening_required: Option<bool>,
    /// Days after its last confirmation (registration counts as one) before a WAITING household
    /// is left out of rounds until staff confirm it still wants a group, 7-730 (default 90).
    pub reconfirm_after_days: Option<i32>,
}

impl From<CitySettingsInput> for services::decisions::CitySettingsInput {
    fn from(v: CitySettingsInput) -> Self {
        Self {
            decline_pause_days: v.decline_pause_days,
            min_group_size: v.min_group_size,
            screening_required: v.screening_required,
            reconfirm_after_days: v.reconfirm_after_days,
        }
    }
}

/// What a round optimises.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "services::rounds::MatchingObjective")]
pub enum MatchingObjective {
    /// First the largest number of households matched, then the largest total score.
    MaxMatchesThenScore,
    /// The largest total score, even if fewer households are matched.
    MaxTotalScore,
}

impl From<LanguageSkillInput> for newcomers::LanguageSkillInput {
    fn from(v: LanguageSkillInput) -> Self {
        Self { code: v.code, level: v.level.into() }
    }
}

impl From<RegisterNewcomerInput> for newcomers::RegisterNewcomerInput {
    fn from(v: RegisterNewcomerInput) -> Self {
        Self {
            city_slug: v.city_slug,
            name: v.name,
            email: v.email,
            phone: v.phone,
            birth_year: v.birth_year,
            gender: v.gender.into(),
            country_of_origin: v.country_of_origin,
            languages: v.languages.into_iter().map(Into::into).collect(),
            dutch_level: v.dutch_level.into(),
            interests: v.interests,
            sector: v.sector,
            education: v.education,
            goals: v.goals.into_iter().map(Into::into).collect(),
            household_adults: v.household_adults,
            children_ages: v.children_ages,
            arrival_date: v.arrival_date.into(),
            neighbourhood: v.neighbourhood,
            needs: v.needs,
            preferred_name: v.preferred_name,
            share_contact_with_group: v.share_contact_with_group,
            consent_date: v.consent_date.map(Into::into),
            privacy_notice_version: v.privacy_notice_version,
            idempotency_key: v.idempotency_key,
            baseline: v.baseline.map(Into::into),
        }
    }
}

impl From<UpdateNewcomerInput> for newcomers::UpdateNewcomerInput {
    fn from(v: UpdateNewcomerInput) -> Self {
        Self {
            name: v.name,
            email: v.email,
            phone: v.phone,
            birth_year: v.birth_year,
            gender: v.gender.map(Into::into),
            country_of_origin: v.country_of_origin,
            languages: v.languages.map(|xs| xs.into_iter().map(Into::into).collect()),
            dutch_level: v.dutch_level.map(Into::into),
            interests: v.interests,
            sector: v.sector,
            education: v.education,
            goals: v.goals.map(|xs| xs.into_iter().map(Into::into).collect()),
            household_adults: v.household_adults,
            children_ages: v.children_ages,
            arrival_date: v.arrival_date.map(Into::into),
            neighbourhood: v.neighbourhood,
            needs: v.needs,
            preferred_name: v.preferred_name,
            share_contact_with_group: v.share_contact_with_group,
            consent_date: v.consent_date.map(Into::into),
            privacy_notice_version: v.privacy_notice_version,
            expected_version: v.expected_version,
        }
    }
}

impl From<CreateWelcomeGroupInput> for groups::CreateWelcomeGroupInput {
    fn from(v: CreateWelcomeGroupInput) -> Self {
        Self {
            city_slug: v.city_slug,
            name: v.name,
            neighbourhood: v.neighbourhood,
            capacity: v.capacity,
            languages: v.languages,
            interests: v.interests,
            availability_hours_per_month: v.availability_hours_per_month,
            preferences: v.preferences,
            intake_held_on: v.intake_held_on.map(Into::into),
            preparation_attended_on: v.preparation_attended_on.map(Into::into),
        }
    }
}

impl From<UpdateWelcomeGroupInput> for groups::UpdateWelcomeGroupInput {
    fn from(v: UpdateWelcomeGroupInput) -> Self {
        Self {
            name: v.name,
            neighbourhood: v.neighbourhood,
            capacity: v.capacity,
            languages: v.languages,
            interests: v.interests,
            availability_hours_per_month: v.availability_hours_per_month,
            preferences: v.preferences,
            intake_held_on: v.intake_held_on.map(Into::into),
            preparation_attended_on: v.preparation_attended_on.map(Into::into),
            expected_version: v.expected_version,
        }
    }
}

impl From<GroupMemberInput> for groups::GroupMemberInput {
    fn from(v: GroupMemberInput) -> Self {
        Self {
            name: v.name,
            email: v.email,
            phone: v.phone,
            birth_year: v.birth_year,
            languages: v.languages,
            interests: v.interests,
            sector: v.sector,
            is_coordinator: v.is_coordinator,
            vog_received_on: v.vog_received_on.map(Into::into),
        }
    }
}

impl From<UpdateGroupMemberInput> for groups::UpdateGroupMemberInput {
    fn from(v: UpdateGroupMemberInput) -> Self {
        Self {
            name: v.name,
            email: v.email,
            phone: v.phone,
            birth_year: v.birth_year,
            languages: v.languages,
            interests: v.interests,
            sector: v.sector,
            vog_received_on: v.vog_received_on.map(Into::into),
            expected_version: v.expected_version,
        }
    }
}

impl From<ActivityInput> for year::ActivityInput {
    fn from(v: ActivityInput) -> Self {
        Self {
            date: v.date.into(),
            kind: v.kind.into(),
            duration_minutes: v.duration_minutes,
            participants: v.participants,
            notes: v.notes,
        }
    }
}

impl From<CheckInInput> for year::CheckInInput {
    fn from(v: CheckInInput) -> Self {
        Self {
            month: v.month,
            newcomer_satisfaction: v.newcomer_satisfaction,
            group_satisfaction: v.group_satisfaction,
            dutch_level: v.dutch_level.into(),
            work_status: v.work_status.into(),
            network_size: v.network_size,
            notes: v.notes,
        }
    }
}

impl From<HouseholdCheckInInput> for year::HouseholdCheckInInput {
    fn from(v: HouseholdCheckInInput) -> Self {
        Self {
            month: v.month,
            satisfaction: v.satisfaction,
            wellbeing: v.wellbeing,
            dutch_level: v.dutch_level.into(),
            work_status: v.work_status.into(),
            network_size: v.network_size,
            notes: v.notes,
        }
    }
}

impl From<BaselineInput> for year::BaselineInput {
    fn from(v: BaselineInput) -> Self {
        Self {
            network_size: v.network_size,
            work_status: v.work_status.into(),
            dutch_level: v.dutch_level.into(),
            wellbeing: v.wellbeing,
        }
    }
}

/// Whose answers a check-in holds.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "services::year::CheckInView")]
pub enum CheckInView {
    /// The household's own, asked without the group present; never readable by the group.
    Household,
    /// The group's, recorded by its coordinator.
    Group,
}

impl From<PairInput> for rounds::PairInput {
    fn from(v: PairInput) -> Self {
        Self { newcomer_id: v.newcomer_id.into(), group_id: v.group_id.into(), override_reason: v.override_reason }
    }
}

impl From<RunMatchingInput> for rounds::RunMatchingInput {
    fn from(v: RunMatchingInput) -> Self {
        Self {
            city_slug: v.city_slug,
            dry_run: v.dry_run,
            objective: v.objective.into(),
            locked_pairs: v.locked_pairs.into_iter().map(Into::into).collect(),
            excluded_pairs: v.excluded_pairs.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<ContactReadFilter> for audit::ContactReadFilter {
    fn from(v: ContactReadFilter) -> Self {
        Self { city_slug: v.city_slug, entity_id: v.entity_id, actor_id: v.actor_id }
    }
}

impl From<AuditFilter> for audit::AuditFilter {
    fn from(v: AuditFilter) -> Self {
        Self {
            city_slug: v.city_slug,
            entity_type: v.entity_type,
            entity_id: v.entity_id,
            action: v.action,
            actor_id: v.actor_id,
        }
    }
}

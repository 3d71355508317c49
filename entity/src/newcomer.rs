use sea_orm::entity::prelude::*;

use crate::{CefrLevel, Gender, IntList, LanguageSkills, NewcomerStatus, StringList};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "newcomers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub city_slug: String,
    pub name: String,
    pub preferred_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birth_year: i32,
    pub gender: Gender,
    pub country_of_origin: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub languages: LanguageSkills,
    pub dutch_level: CefrLevel,
    #[sea_orm(column_type = "JsonBinary")]
    pub interests: StringList,
    pub sector: Option<String>,
    pub education: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub goals: StringList,
    pub household_adults: i32,
    #[sea_orm(column_type = "JsonBinary")]
    pub children_ages: IntList,
    pub arrival_date: Date,
    pub neighbourhood: Option<String>,
    pub needs: Option<String>,
    pub share_contact_with_group: bool,
    pub consent_date: Option<Date>,
    pub privacy_notice_version: Option<String>,
    pub status: NewcomerStatus,
    pub status_reason: Option<String>,
    /// When the household started waiting; kept across an early end so it keeps its priority.
    pub waiting_since: DateTimeUtc,
    /// When staff last recorded that the household still wants a group; `None`: only its
    /// registration counts.
    pub confirmed_at: Option<DateTimeUtc>,
    #[sea_orm(unique)]
    pub idempotency_key: Option<String>,
    /// SHA-256 of the validated input registered with the idempotency key.
    pub idempotency_fingerprint: Option<String>,
    /// When the personal data was erased (right to erasure or retention); `None` while held.
    pub erased_at: Option<DateTimeUtc>,
    /// The account that registered the household (a PARTNER changes only its own).
    pub registered_by: Option<String>,
    /// The baseline at registration, to measure the year against: people in the household's
    /// network, work or study status, Dutch level, well-being 1-5, and the day it was taken.
    pub baseline_network_size: Option<i32>,
    pub baseline_work_status: Option<String>,
    pub baseline_dutch_level: Option<CefrLevel>,
    pub baseline_wellbeing: Option<i32>,
    pub baseline_recorded_on: Option<Date>,
    /// When the household gave research consent (separate from the privacy notice); `None`:
    /// no consent (the default, and after a withdrawal).
    pub research_consent_at: Option<DateTimeUtc>,
    /// The version of the research information it consented to.
    pub research_consent_version: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

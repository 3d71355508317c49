use sea_orm::entity::prelude::*;

use crate::MatchStatus;

/// A newcomer and a welcome group, proposed, then (after both agree) twelve months together.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "matches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub city_slug: String,
    pub newcomer_id: String,
    pub group_id: String,
    pub run_id: Option<String>,
    pub status: MatchStatus,
    /// Points in hundredths; the explanation's parts sum to it exactly.
    pub score: i64,
    /// `[[criterion, hundredths], ...]`
    #[sea_orm(column_type = "JsonBinary")]
    pub explanation: Json,
    pub introduction_date: Option<Date>,
    pub start_date: Option<Date>,
    pub planned_end_date: Option<Date>,
    pub end_date: Option<Date>,
    pub end_reason_code: Option<String>,
    pub end_reason: Option<String>,
    /// The newcomer's Dutch level when the match started, to measure progress at check-ins.
    pub start_dutch_level: Option<crate::CefrLevel>,
    pub decided_by: Option<String>,
    /// Who decided a decline or an early end: HOUSEHOLD, GROUP or STAFF.
    pub decided_side: Option<String>,
    /// The coded reason of a decline (`DeclineReason`).
    pub decline_code: Option<String>,
    /// From this day a declined pair may be proposed again; `None`: never (or not declined).
    pub proposable_again_on: Option<Date>,
    /// The COMMUNITY_BUILDER account that supports this match, if one is assigned.
    pub community_builder_id: Option<String>,
    /// Staff's reason for proposing or locking a pair the city's script finds ineligible;
    /// `None`: no override.
    pub override_reason: Option<String>,
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

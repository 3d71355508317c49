use sea_orm::entity::prelude::*;

use crate::RunStatus;

/// One matching round of a city, with everything needed to reproduce it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "matching_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub city_slug: String,
    pub status: RunStatus,
    pub script_version: i32,
    pub script_sha256: String,
    pub objective: String,
    /// `{"locked": [[newcomerId, groupId]...], "excluded": [...]}`
    #[sea_orm(column_type = "JsonBinary")]
    pub parameters: Json,
    pub newcomer_count: i32,
    pub group_count: i32,
    pub eligible_pairs: i64,
    pub matched_count: i32,
    /// Points in hundredths.
    pub total_score: i64,
    pub greedy_total_score: i64,
    pub inputs_hash: String,
    pub duration_ms: i64,
    pub score_ms: i64,
    pub solve_ms: i64,
    /// The pairs the run computed: `[{"n": id, "g": id, "score": hundredths, "parts": [[criterion, hundredths]...]}]`.
    #[sea_orm(column_type = "JsonBinary")]
    pub pairs: Json,
    /// `[{"n": id, "reason": "NO_ELIGIBLE_GROUP" | "OUTNUMBERED"}]`
    #[sea_orm(column_type = "JsonBinary")]
    pub unmatched: Json,
    /// Quality report: subgroup match rates and mean scores.
    #[sea_orm(column_type = "JsonBinary")]
    pub quality: Json,
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

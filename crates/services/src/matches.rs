//! Match queries shared by candidates, rounds and decisions.

use entity::{MatchStatus, matches, newcomer, welcome_group};
use sea_orm::ColumnTrait;
use sea_orm::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use serde_json::{Value, json};

/// The statuses that make a match "live": at most one per newcomer and per group.
pub const LIVE: [MatchStatus; 2] = [MatchStatus::Proposed, MatchStatus::Active];

/// `NOT EXISTS (a live match of this row)`: a correlated anti-join, which both databases plan
/// as one (an index look-up per row); `NOT IN (subquery)` made PostgreSQL build the whole list
/// of live ids first and cannot use it as an anti-join when the column is nullable.
fn no_live_match(col: matches::Column, outer: impl sea_orm::sea_query::IntoColumnRef) -> SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(matches::Entity)
            .and_where(Expr::col((matches::Entity, col)).equals(outer))
            .and_where(Expr::col((matches::Entity, matches::Column::Status)).is_in(LIVE))
            .to_owned(),
    )
    .not()
}

/// Newcomers without a PROPOSED or ACTIVE match.
pub fn no_live_match_newcomer() -> SimpleExpr {
    no_live_match(matches::Column::NewcomerId, (newcomer::Entity, newcomer::Column::Id))
}

/// Groups without a PROPOSED or ACTIVE match.
pub fn no_live_match_group() -> SimpleExpr {
    no_live_match(matches::Column::GroupId, (welcome_group::Entity, welcome_group::Column::Id))
}

/// Newcomers in a live match with `group_id` (what a coordinator may see).
pub fn newcomer_of_live_match(group_id: &str) -> SimpleExpr {
    newcomer::Column::Id.in_subquery(
        Query::select()
            .column(matches::Column::NewcomerId)
            .from(matches::Entity)
            .and_where(matches::Column::Status.is_in(LIVE))
            .and_where(matches::Column::GroupId.eq(group_id))
            .to_owned(),
    )
}

/// The match status as the API spells it.
pub fn status_code(s: MatchStatus) -> &'static str {
    domain::enums::MatchStatus::from(s).code()
}

/// A new PROPOSED match (from a round or by hand): the one place its row is put together.
pub struct Proposed<'a> {
    pub city: &'a str,
    pub newcomer_id: &'a str,
    pub group_id: &'a str,
    pub run_id: Option<&'a str>,
    /// Hundredths.
    pub score: i64,
    pub parts: &'a [(String, i64)],
    pub created_by: &'a str,
}

impl Proposed<'_> {
    /// The explanation as stored: `[[criterion, hundredths], ...]`.
    /// The stored form of an explanation (see `run_record::Explanation`).
    pub fn explanation(parts: &[(String, i64)]) -> Value {
        Value::Array(parts.iter().map(|(k, v)| json!([k, v])).collect())
    }

    pub fn into_active_model(self, id: String) -> matches::ActiveModel {
        let now = chrono::Utc::now();
        matches::ActiveModel {
            id: Set(id),
            city_slug: Set(self.city.to_owned()),
            newcomer_id: Set(self.newcomer_id.to_owned()),
            group_id: Set(self.group_id.to_owned()),
            run_id: Set(self.run_id.map(str::to_owned)),
            status: Set(MatchStatus::Proposed),
            score: Set(self.score),
            explanation: Set(Self::explanation(self.parts)),
            introduction_date: Set(None),
            start_date: Set(None),
            planned_end_date: Set(None),
            end_date: Set(None),
            end_reason_code: Set(None),
            end_reason: Set(None),
            start_dutch_level: Set(None),
            decided_by: Set(None),
            decided_side: Set(None),
            decline_code: Set(None),
            proposable_again_on: Set(None),
            community_builder_id: Set(None),
            override_reason: Set(None),
            created_by: Set(Some(self.created_by.to_owned())),
            created_at: Set(now),
            updated_at: Set(now),
        }
    }
}

/// Moves match `id` from `from` to `to`, only if it is still `from`. Two concurrent decisions
/// on one match both read it as `from`; on PostgreSQL (read committed) the second UPDATE waits
/// for the first's row lock and then matches no row, so it answers CONFLICT instead of deciding
/// twice. (SQLite's write transactions are serial already.)
pub async fn claim(
    conn: &impl sea_orm::ConnectionTrait,
    id: &str,
    from: MatchStatus,
    to: MatchStatus,
) -> domain::error::AppResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let moved = matches::Entity::update_many()
        .col_expr(matches::Column::Status, Expr::value(to))
        .filter(matches::Column::Id.eq(id))
        .filter(matches::Column::Status.eq(from))
        .exec(conn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(domain::error::AppError::conflict(format!(
            "the match is no longer {}: another decision was taken at the same time",
            status_code(from)
        )));
    }
    Ok(())
}

/// Staff's override on a proposal to store.
pub trait WithOverride {
    /// The proposal with staff's override reason (`None`: no override).
    fn with_override(self, reason: Option<String>) -> Self;
}

impl WithOverride for matches::ActiveModel {
    fn with_override(mut self, reason: Option<String>) -> Self {
        self.override_reason = sea_orm::Set(reason);
        self
    }
}

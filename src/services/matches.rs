//! Match queries shared by candidates, rounds and decisions.

use entity::{MatchStatus, matches, newcomer, welcome_group};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Query, SimpleExpr};

/// The statuses that make a match "live": at most one per newcomer and per group.
pub const LIVE: [MatchStatus; 2] = [MatchStatus::Proposed, MatchStatus::Active];

fn live_ids(col: matches::Column) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(col)
        .from(matches::Entity)
        .and_where(matches::Column::Status.is_in(LIVE))
        .to_owned()
}

/// Newcomers without a PROPOSED or ACTIVE match.
pub fn no_live_match_newcomer() -> SimpleExpr {
    newcomer::Column::Id.not_in_subquery(live_ids(matches::Column::NewcomerId))
}

/// Groups without a PROPOSED or ACTIVE match.
pub fn no_live_match_group() -> SimpleExpr {
    welcome_group::Column::Id.not_in_subquery(live_ids(matches::Column::GroupId))
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
    match s {
        MatchStatus::Proposed => "PROPOSED",
        MatchStatus::Active => "ACTIVE",
        MatchStatus::Completed => "COMPLETED",
        MatchStatus::EndedEarly => "ENDED_EARLY",
        MatchStatus::Rejected => "REJECTED",
    }
}


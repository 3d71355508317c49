//! The candidates of a city's matching round: WAITING newcomers and READY groups that have no
//! PROPOSED or ACTIVE match, in id order (so the same data gives the same matrix). A WAITING
//! household whose last confirmation (its registration, or staff's `confirmStillWaiting`) is
//! older than the city's `reconfirm_after_days` is left out until it is confirmed again.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{GroupStatus, NewcomerStatus, group_member, newcomer, welcome_group};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::script_values as values;
use domain::error::AppResult;
use scripting::api::{ScriptGroup, ScriptNewcomer};

/// A READY group with its members.
pub struct GroupWithMembers {
    pub group: welcome_group::Model,
    pub members: Vec<group_member::Model>,
}

/// A round's candidates as stored.
pub struct Candidates {
    pub newcomers: Vec<newcomer::Model>,
    pub groups: Vec<GroupWithMembers>,
    /// WAITING households without a live match left out because their re-confirmation is due.
    pub reconfirmation_due: Vec<String>,
}

/// When household `n` last confirmed it wants a group: staff's last confirmation, else its
/// registration.
pub fn last_confirmed(n: &newcomer::Model) -> chrono::DateTime<chrono::Utc> {
    n.confirmed_at.map_or(n.created_at, |c| c.max(n.created_at))
}

/// The moment before which a last confirmation is too old in `city` (now less the city's
/// period; the default period where there is no such city).
pub async fn reconfirm_cutoff(conn: &impl ConnectionTrait, city: &str) -> AppResult<chrono::DateTime<chrono::Utc>> {
    let days = entity::city::Entity::find_by_id(city)
        .one(conn)
        .await?
        .map_or(crate::decisions::DEFAULT_RECONFIRM_AFTER_DAYS, |c| c.reconfirm_after_days);
    Ok(chrono::Utc::now() - chrono::Duration::days(i64::from(days.max(0))))
}

impl Candidates {
    /// The script's view of every candidate, built once.
    pub fn script_values(&self, today: NaiveDate) -> (Vec<ScriptNewcomer>, Vec<ScriptGroup>) {
        (
            self.newcomers.iter().map(|n| values::newcomer(n, today)).collect(),
            self.groups.iter().map(|g| values::group(&g.group, &g.members, today)).collect(),
        )
    }
}

/// Loads the candidates of `city`; `limit` caps each side (for samples).
pub async fn load(conn: &impl ConnectionTrait, city: &str, limit: Option<u64>) -> AppResult<Candidates> {
    let mut nq = newcomer::Entity::find()
        .filter(newcomer::Column::CitySlug.eq(city))
        .filter(newcomer::Column::Status.eq(NewcomerStatus::Waiting))
        .filter(crate::matches::no_live_match_newcomer())
        .order_by_asc(newcomer::Column::Id);
    let mut gq = welcome_group::Entity::find()
        .filter(welcome_group::Column::CitySlug.eq(city))
        .filter(welcome_group::Column::Status.eq(GroupStatus::Ready))
        .filter(crate::matches::no_live_match_group())
        .order_by_asc(welcome_group::Column::Id);
    if let Some(l) = limit {
        nq = nq.limit(l);
        gq = gq.limit(l);
    }
    let cutoff = reconfirm_cutoff(conn, city).await?;
    let (newcomers, due): (Vec<newcomer::Model>, Vec<newcomer::Model>) =
        nq.all(conn).await?.into_iter().partition(|n| last_confirmed(n) >= cutoff);
    let reconfirmation_due = due.into_iter().map(|n| n.id).collect();
    let groups = gq.all(conn).await?;
    let mut by_group: HashMap<String, Vec<group_member::Model>> = HashMap::with_capacity(groups.len());
    let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
    for chunk in ids.chunks(crate::db::IN_LIST_CHUNK) {
        let members = group_member::Entity::find()
            .filter(group_member::Column::GroupId.is_in(chunk.iter().cloned()))
            .order_by_asc(group_member::Column::Id)
            .all(conn)
            .await?;
        for m in members {
            by_group.entry(m.group_id.clone()).or_default().push(m);
        }
    }
    let groups = groups
        .into_iter()
        .map(|g| {
            let members = by_group.remove(&g.id).unwrap_or_default();
            GroupWithMembers { group: g, members }
        })
        .collect();
    Ok(Candidates { newcomers, groups, reconfirmation_due })
}

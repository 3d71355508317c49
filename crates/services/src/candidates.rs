//! The candidates of a city's matching round: WAITING newcomers and READY groups that have no
//! PROPOSED or ACTIVE match, in id order (so the same data gives the same matrix).

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
    let newcomers = nq.all(conn).await?;
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
    Ok(Candidates { newcomers, groups })
}

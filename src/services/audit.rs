//! The audit log: who did what to which record, when. Holds ids and codes, never personal
//! values, so it survives erasure.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;

use crate::auth::Principal;
use crate::error::{AppResult, current_request_id};

/// One audit entry, written through the caller's transaction.
pub struct Entry<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub city: Option<&'a str>,
    /// Non-personal facts only: field names changed, status codes, counts.
    pub details: Value,
}

pub async fn record(conn: &impl ConnectionTrait, actor: Option<&Principal>, entry: Entry<'_>) -> AppResult<()> {
    let request_id = current_request_id();
    entity::audit_log::ActiveModel {
        id: Set(super::new_id()),
        at: Set(Utc::now()),
        actor_user_id: Set(actor.map(|p| p.user_id.clone())),
        actor_role: Set(actor.map(|p| p.role_name().to_owned())),
        action: Set(entry.action.to_owned()),
        entity_type: Set(entry.entity_type.to_owned()),
        entity_id: Set(entry.entity_id.to_owned()),
        city_slug: Set(entry.city.map(str::to_owned)),
        request_id: Set((request_id != "-").then_some(request_id)),
        details: Set(entry.details),
    }
    .insert(conn)
    .await?;
    Ok(())
}

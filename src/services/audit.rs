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

/// Filters of `auditLog`.
#[derive(async_graphql::InputObject, Clone, Debug, Default)]
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

/// `auditLog`: newest first. ADMIN everything; CITY_ADMIN their city's entries.
pub async fn list(
    state: &crate::app::AppState,
    p: &Principal,
    filter: AuditFilter,
    args: &super::page::PageArgs,
) -> AppResult<super::page::Page<entity::audit_log::Model>> {
    use entity::audit_log::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let scope = p.scope_for(crate::auth::policy::Op::ReadAudit)?;
    let mut q = Entity::find();
    if let Some(c) = scope.city() {
        q = q.filter(Column::CitySlug.eq(c));
    }
    if let Some(c) = filter.city_slug {
        q = q.filter(Column::CitySlug.eq(c.trim().to_lowercase()));
    }
    if let Some(t) = filter.entity_type {
        q = q.filter(Column::EntityType.eq(t));
    }
    if let Some(id) = filter.entity_id {
        q = q.filter(Column::EntityId.eq(id));
    }
    if let Some(a) = filter.action {
        q = q.filter(Column::Action.eq(a));
    }
    if let Some(u) = filter.actor_id {
        q = q.filter(Column::ActorUserId.eq(u));
    }
    super::page::fetch_newest_first(&state.db, q, Column::Id, args).await
}

/// Records that the caller read a person's contact detail `field` ("email", "phone"): reads of
/// contact details are audited like changes, one entry per record and field read.
pub async fn contact_read(conn: &impl ConnectionTrait, actor: &Principal, entity_type: &str, entity_id: &str, city: Option<&str>, field: &str) -> AppResult<()> {
    record(conn, Some(actor), Entry {
        action: "contact.read",
        entity_type,
        entity_id,
        city,
        details: serde_json::json!({ "field": field }),
    })
    .await
}

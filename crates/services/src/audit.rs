//! The audit log: who did what to which record, when. Holds ids and codes, never personal
//! values, so it survives erasure.

use chrono::Utc;
use sea_orm::DatabaseConnection;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;

use domain::error::{AppResult, current_request_id};
use domain::policy::Principal;

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
    row(actor, &entry, Utc::now(), &current_request_id()).insert(conn).await?;
    // The notification a change announces is written with its audit entry, in its transaction.
    crate::outbox::from_audit(conn, &entry).await
}

/// The row of one entry: the one place an audit row is put together.
fn row(
    actor: Option<&Principal>,
    entry: &Entry<'_>,
    at: chrono::DateTime<Utc>,
    request_id: &str,
) -> entity::audit_log::ActiveModel {
    entity::audit_log::ActiveModel {
        id: Set(crate::new_id()),
        at: Set(at),
        actor_user_id: Set(actor.map(|p| p.user_id.clone())),
        actor_role: Set(actor.map(|p| p.role_name().to_owned())),
        action: Set(entry.action.to_owned()),
        entity_type: Set(entry.entity_type.to_owned()),
        entity_id: Set(entry.entity_id.to_owned()),
        city_slug: Set(entry.city.map(str::to_owned)),
        request_id: Set((request_id != "-").then(|| request_id.to_owned())),
        details: Set(entry.details.clone()),
    }
}

/// Filters of `auditLog`.
#[derive(Clone, Debug, Default)]
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
    db: &DatabaseConnection,
    p: &Principal,
    filter: AuditFilter,
    args: &crate::page::PageArgs,
) -> AppResult<crate::page::Page<entity::audit_log::Model>> {
    use entity::audit_log::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let scope = p.scope_for(domain::policy::Op::ReadAudit)?;
    let mut q = crate::page::in_city(Entity::find(), &scope, filter.city_slug.as_deref(), Column::CitySlug)?;
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
    crate::page::fetch_newest_first(db, q, Column::Id, args).await
}

/// A read of a person's contact detail, collected during a request.
#[derive(Clone, Debug)]
pub struct ContactRead {
    /// "newcomer" or "group_member".
    pub entity_type: &'static str,
    pub entity_id: String,
    /// The city, or the member's group to find it by.
    pub city: Option<String>,
    pub group_id: Option<String>,
    /// "email" or "phone".
    pub field: &'static str,
}

/// The bit of a contact field in `contact_reads.fields`.
fn field_bit(field: &str) -> i32 {
    match field {
        "email" => 1,
        "phone" => 2,
        _ => 4,
    }
}

/// The fields of a bit set, in a fixed order.
pub fn field_names(bits: i32) -> Vec<&'static str> {
    [("email", 1), ("phone", 2), ("other", 4)].into_iter().filter(|(_, b)| bits & b != 0).map(|(n, _)| n).collect()
}

/// Records the contact details one request read: for each record, the day's row of this
/// reader and record counts one more read and gains the fields read (an upsert, 500 records a
/// statement). Reads are audited like changes, but in a log that grows with who read whom on
/// which day, not with every request (a page of 130 members read 100 times a second used to
/// add 13,000 audit rows a second).
pub async fn contact_reads(conn: &impl ConnectionTrait, actor: &Principal, reads: Vec<ContactRead>) -> AppResult<()> {
    use entity::contact_read::{ActiveModel, Column, Entity};
    use sea_orm::sea_query::{Expr, OnConflict};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    if reads.is_empty() {
        return Ok(());
    }
    let groups: Vec<String> = reads.iter().filter(|r| r.city.is_none()).filter_map(|r| r.group_id.clone()).collect();
    let cities: std::collections::HashMap<String, String> = if groups.is_empty() {
        Default::default()
    } else {
        entity::welcome_group::Entity::find()
            .select_only()
            .column(entity::welcome_group::Column::Id)
            .column(entity::welcome_group::Column::CitySlug)
            .filter(entity::welcome_group::Column::Id.is_in(groups))
            .into_tuple::<(String, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect()
    };
    let request_id = current_request_id();
    let now = Utc::now();
    let day = domain::time::local_date(now);
    // One row per record, with every field read of it; in key order, so two requests that
    // read the same records lock their rows in the same order (no deadlock on PostgreSQL).
    let mut by_record: std::collections::BTreeMap<(&'static str, String), (i32, Option<String>)> = Default::default();
    for r in reads {
        let city = r.city.or_else(|| r.group_id.as_ref().and_then(|g| cities.get(g).cloned()));
        let entry = by_record.entry((r.entity_type, r.entity_id)).or_insert((0, city));
        entry.0 |= field_bit(r.field);
    }
    let rows: Vec<ActiveModel> = by_record
        .into_iter()
        .map(|((entity_type, entity_id), (fields, city))| ActiveModel {
            id: Set(crate::new_id()),
            day: Set(day),
            actor_user_id: Set(actor.user_id.clone()),
            actor_role: Set(actor.role_name().to_owned()),
            entity_type: Set(entity_type.to_owned()),
            entity_id: Set(entity_id),
            city_slug: Set(city),
            fields: Set(fields),
            reads: Set(1),
            first_at: Set(now),
            last_at: Set(now),
            last_request_id: Set((request_id != "-").then(|| request_id.clone())),
        })
        .collect();
    let mut on_conflict = OnConflict::columns([Column::Day, Column::ActorUserId, Column::EntityType, Column::EntityId]);
    on_conflict
        .value(Column::Reads, Expr::cust("contact_reads.reads + 1"))
        .value(Column::Fields, Expr::cust("contact_reads.fields | excluded.fields"))
        .update_columns([Column::LastAt, Column::LastRequestId]);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        Entity::insert_many(chunk).on_conflict(on_conflict.clone()).exec(conn).await?;
    }
    Ok(())
}

/// Filters of `contactReads`.
#[derive(Clone, Debug, Default)]
pub struct ContactReadFilter {
    pub city_slug: Option<String>,
    /// Only reads of this record (a newcomer's or member's id).
    pub entity_id: Option<String>,
    /// Only this user's reads.
    pub actor_id: Option<String>,
}

/// `contactReads`: newest first (by the first read of the day). ADMIN everything; CITY_ADMIN
/// their city's.
pub async fn list_contact_reads(
    db: &DatabaseConnection,
    p: &Principal,
    filter: ContactReadFilter,
    args: &crate::page::PageArgs,
) -> AppResult<crate::page::Page<entity::contact_read::Model>> {
    use entity::contact_read::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let scope = p.scope_for(domain::policy::Op::ReadAudit)?;
    let mut q = crate::page::in_city(Entity::find(), &scope, filter.city_slug.as_deref(), Column::CitySlug)?;
    if let Some(id) = filter.entity_id {
        q = q.filter(Column::EntityId.eq(id));
    }
    if let Some(u) = filter.actor_id {
        q = q.filter(Column::ActorUserId.eq(u));
    }
    crate::page::fetch_newest_first(db, q, Column::Id, args).await
}

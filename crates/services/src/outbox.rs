//! The outbox of notifications, and what people and partner apps choose about them.
//!
//! An event is written in the transaction of the change that causes it: `audit::record` calls
//! `from_audit`, so every change that is audited and announced rolls back with its event, and
//! a committed change always has its event (nothing is sent for a rollback, nothing lost in a
//! crash). Due dates are found by the scheduler (`notify` crate) and written with a
//! `dedupe_key`, so each is announced once however many replicas find it. The `notify` crate
//! turns events into deliveries and sends them; this module holds the rows and the rules every
//! replica shares. Events and deliveries hold ids and codes, never personal values.

use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde_json::{Value, json};

use domain::enums::{Channel, DeliveryMode, DeliveryStatus, EventKind, Role};
use domain::error::{AppError, AppResult};
use domain::policy::{Op, Principal};
use entity::{notification_delivery, notification_event, notification_preference, user, webhook_endpoint};

use crate::audit;

/// An event to write.
pub struct NewEvent<'a> {
    pub kind: EventKind,
    pub city: Option<&'a str>,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    /// Set for due dates: a second event with the same key is not written.
    pub dedupe_key: Option<String>,
    /// Ids and codes only.
    pub data: Value,
}

/// The event an audited change announces, if any.
fn event_of(entry: &audit::Entry<'_>) -> Option<(EventKind, Value)> {
    let id = entry.entity_id;
    let kind = match entry.action {
        // A round that proposed nothing asks nobody for a decision.
        "round.run" => {
            let matched = entry.details.get("matched").and_then(Value::as_i64).unwrap_or(0);
            return (matched > 0).then(|| (EventKind::MatchesProposed, json!({ "runId": id, "proposed": matched })));
        }
        "match.propose" => {
            return Some((EventKind::MatchesProposed, json!({ "matchId": id, "proposed": 1 })));
        }
        "match.accept" => EventKind::MatchAccepted,
        "match.reject" => EventKind::MatchRejected,
        "match.end_early" => EventKind::MatchEnded,
        "match.complete" => EventKind::MatchCompleted,
        "script.publish" => {
            let version = entry.details.get("version").cloned().unwrap_or(Value::Null);
            return Some((EventKind::ScriptPublished, json!({ "scriptId": id, "version": version })));
        }
        _ => return None,
    };
    Some((kind, json!({ "matchId": id })))
}

/// Writes the event an audited change announces, through the change's own transaction.
pub(crate) async fn from_audit(conn: &impl ConnectionTrait, entry: &audit::Entry<'_>) -> AppResult<()> {
    if let Some((kind, data)) = event_of(entry) {
        enqueue(
            conn,
            NewEvent {
                kind,
                city: entry.city,
                entity_type: entry.entity_type,
                entity_id: entry.entity_id,
                dedupe_key: None,
                data,
            },
        )
        .await?;
    }
    Ok(())
}

/// Writes an event; false when one with the same `dedupe_key` was written before.
pub async fn enqueue(conn: &impl ConnectionTrait, e: NewEvent<'_>) -> AppResult<bool> {
    let row = notification_event::ActiveModel {
        id: Set(crate::new_id()),
        kind: Set(e.kind.code().to_owned()),
        city_slug: Set(e.city.map(str::to_owned)),
        entity_type: Set(e.entity_type.to_owned()),
        entity_id: Set(e.entity_id.to_owned()),
        dedupe_key: Set(e.dedupe_key),
        data: Set(e.data),
        created_at: Set(Utc::now()),
        fanned_out_at: Set(None),
    };
    let inserted = notification_event::Entity::insert(row)
        .on_conflict_do_nothing_on([notification_event::Column::DedupeKey])
        .exec_without_returning(conn)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

/// The kinds a role may receive by e-mail: what its work is about.
pub fn kinds_for(role: Role) -> &'static [EventKind] {
    use EventKind::*;
    match role {
        Role::Admin => &[ScriptPublished],
        Role::CityAdmin => &[
            MatchesProposed,
            MatchAccepted,
            MatchRejected,
            MatchEnded,
            MatchCompleted,
            CheckInOverdue,
            MatchDueForCompletion,
            ReconfirmationDue,
            ScriptPublished,
        ],
        Role::Coordinator | Role::CommunityBuilder => {
            &[MatchAccepted, MatchEnded, MatchCompleted, CheckInDue, CheckInOverdue]
        }
        Role::Analyst | Role::Partner => &[],
    }
}

/// A person's choices.
#[derive(Clone, Debug)]
pub struct MySettings {
    /// "nl" or "en".
    pub language: String,
    /// For each kind the role may receive, how.
    pub preferences: Vec<(EventKind, DeliveryMode)>,
}

/// The stored choices of one account, with the default (immediately) for kinds it never chose.
pub async fn settings_of(conn: &impl ConnectionTrait, u: &user::Model) -> AppResult<MySettings> {
    let chosen = notification_preference::Entity::find()
        .filter(notification_preference::Column::UserId.eq(u.id.as_str()))
        .all(conn)
        .await?;
    let preferences = kinds_for(u.role.into())
        .iter()
        .map(|k| {
            let mode = chosen
                .iter()
                .find(|c| c.kind == k.code())
                .and_then(|c| DeliveryMode::from_code(&c.delivery))
                .unwrap_or(DeliveryMode::Immediate);
            (*k, mode)
        })
        .collect();
    Ok(MySettings { language: u.language.clone().unwrap_or_else(|| "nl".into()), preferences })
}

async fn me(conn: &impl ConnectionTrait, p: &Principal) -> AppResult<user::Model> {
    user::Entity::find_by_id(p.user_id.as_str()).one(conn).await?.ok_or(AppError::Unauthenticated)
}

/// `myNotificationSettings`.
pub async fn my_settings(db: &DatabaseConnection, p: &Principal) -> AppResult<MySettings> {
    settings_of(db, &me(db, p).await?).await
}

/// `updateMyNotificationSettings`: the language and the kinds named change; the rest stay.
pub async fn update_my_settings(
    db: &DatabaseConnection,
    p: &Principal,
    language: Option<&str>,
    preferences: &[(EventKind, DeliveryMode)],
) -> AppResult<MySettings> {
    let txn = db.begin().await?;
    let u = me(&txn, p).await?;
    let allowed = kinds_for(u.role.into());
    for (i, (kind, _)) in preferences.iter().enumerate() {
        if !allowed.contains(kind) {
            return Err(AppError::bad_input(
                format!("preferences[{i}].kind"),
                format!("the role {} gets no {} notifications", p.role_name(), kind.code()),
            ));
        }
        if preferences[..i].iter().any(|(k, _)| k == kind) {
            return Err(AppError::bad_input(
                format!("preferences[{i}].kind"),
                format!("{} is named twice", kind.code()),
            ));
        }
    }
    let mut u = u;
    if let Some(l) = language {
        let l = l.trim().to_ascii_lowercase();
        if l != "nl" && l != "en" {
            return Err(AppError::bad_input("language", "must be nl or en"));
        }
        let mut am: user::ActiveModel = u.into();
        am.language = Set(Some(l));
        u = am.update(&txn).await?;
    }
    for (kind, mode) in preferences {
        notification_preference::Entity::delete_many()
            .filter(notification_preference::Column::UserId.eq(u.id.as_str()))
            .filter(notification_preference::Column::Kind.eq(kind.code()))
            .exec(&txn)
            .await?;
        notification_preference::ActiveModel {
            user_id: Set(u.id.clone()),
            kind: Set(kind.code().to_owned()),
            delivery: Set(mode.code().to_owned()),
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "user.notification_settings",
            entity_type: "user",
            entity_id: &u.id,
            city: u.city_slug.as_deref(),
            details: json!({
                "language": language.is_some(),
                "kinds": preferences.iter().map(|(k, m)| json!({ "kind": k.code(), "delivery": m.code() })).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    let settings = settings_of(&txn, &u).await?;
    txn.commit().await?;
    Ok(settings)
}

/// What an ADMIN registers.
#[derive(Clone, Debug)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub kinds: Option<Vec<EventKind>>,
    /// `Some(None)`: every city.
    pub city: Option<Option<String>>,
    pub active: Option<bool>,
}

/// A receiver's address: absolute http(s), no credentials in it, at most 2,000 characters.
fn checked_url(url: &str) -> AppResult<String> {
    let url = url.trim();
    if url.len() > 2000 {
        return Err(AppError::bad_input("url", "must be at most 2000 characters"));
    }
    let parsed =
        url::Url::parse(url).map_err(|e| AppError::bad_input("url", format!("is not an absolute URL: {e}")))?;
    if parsed.scheme() != "https" && parsed.scheme() != "http" {
        return Err(AppError::bad_input("url", "must start with https:// (or http://)"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(AppError::bad_input("url", "has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(AppError::bad_input("url", "must not hold a user name or password; deliveries are signed instead"));
    }
    Ok(parsed.to_string())
}

fn checked_kinds(kinds: &[EventKind]) -> AppResult<Value> {
    if kinds.is_empty() {
        return Err(AppError::bad_input("kinds", "name at least one event kind"));
    }
    let mut codes: Vec<&str> = kinds.iter().map(|k| k.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    Ok(json!(codes))
}

/// A new signing secret: 32 random bytes, as Standard Webhooks spells them.
fn new_secret() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

async fn checked_city(conn: &impl ConnectionTrait, p: &Principal, city: Option<&str>) -> AppResult<Option<String>> {
    match city.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => match crate::rounds::city_in_scope(conn, p, Op::ManageWebhooks, c).await {
            Err(AppError::NotFound(_)) => Err(AppError::bad_input("city", format!("there is no city {c:?}"))),
            other => other.map(Some),
        },
    }
}

/// `createWebhookEndpoint`: the endpoint and its secret (shown this once).
pub async fn create_endpoint(
    db: &DatabaseConnection,
    p: &Principal,
    input: EndpointInput,
) -> AppResult<(webhook_endpoint::Model, String)> {
    p.scope_for(Op::ManageWebhooks)?;
    let url = checked_url(input.url.as_deref().unwrap_or_default())?;
    let kinds = checked_kinds(input.kinds.as_deref().unwrap_or_default())?;
    let txn = db.begin().await?;
    let city = checked_city(&txn, p, input.city.flatten().as_deref()).await?;
    let secret = new_secret();
    let e = webhook_endpoint::ActiveModel {
        id: Set(crate::new_id()),
        url: Set(url),
        kinds: Set(kinds),
        city_slug: Set(city),
        secret: Set(secret.clone()),
        active: Set(input.active.unwrap_or(true)),
        created_by: Set(Some(p.user_id.clone())),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "webhook.create",
            entity_type: "webhook_endpoint",
            entity_id: &e.id,
            city: e.city_slug.as_deref(),
            details: json!({ "kinds": e.kinds, "active": e.active }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((e, secret))
}

async fn endpoint(conn: &impl ConnectionTrait, p: &Principal, id: &str) -> AppResult<webhook_endpoint::Model> {
    p.scope_for(Op::ManageWebhooks)?;
    webhook_endpoint::Entity::find_by_id(id.trim()).one(conn).await?.ok_or(AppError::NotFound("webhook endpoint"))
}

/// `updateWebhookEndpoint`: what is given changes (pausing keeps its deliveries waiting).
pub async fn update_endpoint(
    db: &DatabaseConnection,
    p: &Principal,
    id: &str,
    input: EndpointInput,
) -> AppResult<webhook_endpoint::Model> {
    let txn = db.begin().await?;
    let e = endpoint(&txn, p, id).await?;
    let mut am: webhook_endpoint::ActiveModel = e.into();
    let mut changed = Vec::new();
    if let Some(url) = &input.url {
        am.url = Set(checked_url(url)?);
        changed.push("url");
    }
    if let Some(kinds) = &input.kinds {
        am.kinds = Set(checked_kinds(kinds)?);
        changed.push("kinds");
    }
    if let Some(city) = &input.city {
        am.city_slug = Set(checked_city(&txn, p, city.as_deref()).await?);
        changed.push("city");
    }
    if let Some(active) = input.active {
        am.active = Set(active);
        changed.push("active");
    }
    let e = am.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "webhook.update",
            entity_type: "webhook_endpoint",
            entity_id: &e.id,
            city: e.city_slug.as_deref(),
            details: json!({ "fields": changed }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(e)
}

/// `deleteWebhookEndpoint`: the endpoint and its deliveries that were not sent go; the log of
/// sent ones stays with the endpoint's id.
pub async fn delete_endpoint(db: &DatabaseConnection, p: &Principal, id: &str) -> AppResult<()> {
    let txn = db.begin().await?;
    let e = endpoint(&txn, p, id).await?;
    notification_delivery::Entity::delete_many()
        .filter(notification_delivery::Column::EndpointId.eq(e.id.as_str()))
        .filter(notification_delivery::Column::Status.ne(DeliveryStatus::Sent.code()))
        .exec(&txn)
        .await?;
    webhook_endpoint::Entity::delete_by_id(e.id.as_str()).exec(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "webhook.delete",
            entity_type: "webhook_endpoint",
            entity_id: &e.id,
            city: e.city_slug.as_deref(),
            details: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// `webhookEndpoints`: oldest first.
pub async fn list_endpoints(db: &DatabaseConnection, p: &Principal) -> AppResult<Vec<webhook_endpoint::Model>> {
    p.scope_for(Op::ManageWebhooks)?;
    Ok(webhook_endpoint::Entity::find().order_by_asc(webhook_endpoint::Column::Id).all(db).await?)
}

/// Filters of `webhookDeliveries`.
#[derive(Clone, Debug, Default)]
pub struct DeliveryFilter {
    pub endpoint_id: Option<String>,
    pub status: Option<DeliveryStatus>,
    pub kind: Option<EventKind>,
}

/// `webhookDeliveries`: newest first.
pub async fn deliveries(
    db: &DatabaseConnection,
    p: &Principal,
    filter: DeliveryFilter,
    args: &crate::page::PageArgs,
) -> AppResult<crate::page::Page<notification_delivery::Model>> {
    use notification_delivery::{Column, Entity};
    p.scope_for(Op::ManageWebhooks)?;
    let mut q = Entity::find().filter(Column::Channel.eq(Channel::Webhook.code()));
    if let Some(id) = filter.endpoint_id {
        q = q.filter(Column::EndpointId.eq(id.trim().to_owned()));
    }
    if let Some(s) = filter.status {
        q = q.filter(Column::Status.eq(s.code()));
    }
    if let Some(k) = filter.kind {
        q = q.filter(Column::Kind.eq(k.code()));
    }
    crate::page::fetch_newest_first(db, q, Column::Id, args).await
}

/// `redeliverWebhook`: the delivery is sent again as soon as the scheduler passes, with the
/// same event id and body (receivers that saw it before can tell).
pub async fn redeliver(db: &DatabaseConnection, p: &Principal, id: &str) -> AppResult<notification_delivery::Model> {
    p.scope_for(Op::ManageWebhooks)?;
    let txn = db.begin().await?;
    let d = notification_delivery::Entity::find_by_id(id.trim())
        .filter(notification_delivery::Column::Channel.eq(Channel::Webhook.code()))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("webhook delivery"))?;
    let mut am: notification_delivery::ActiveModel = d.into();
    am.status = Set(DeliveryStatus::Pending.code().to_owned());
    am.next_attempt_at = Set(Utc::now());
    am.locked_until = Set(None);
    let d = am.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "webhook.redeliver",
            entity_type: "webhook_delivery",
            entity_id: &d.id,
            city: None,
            details: json!({ "eventId": d.event_id, "endpointId": d.endpoint_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(d)
}

/// The outbox's backlog for `/metrics`: events not fanned out and deliveries not sent, and the
/// age in seconds of the oldest of them.
pub async fn backlog(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<(u64, f64)> {
    let events = notification_event::Entity::find().filter(notification_event::Column::FannedOutAt.is_null());
    let pending = notification_delivery::Entity::find()
        .filter(notification_delivery::Column::Status.eq(DeliveryStatus::Pending.code()))
        // A digest item waits for its hour by design; it is not late.
        .filter(notification_delivery::Column::NextAttemptAt.lte(now));
    let depth = events.clone().count(db).await? + pending.clone().count(db).await?;
    let oldest_event = events.order_by_asc(notification_event::Column::CreatedAt).one(db).await?.map(|e| e.created_at);
    let oldest_delivery =
        pending.order_by_asc(notification_delivery::Column::CreatedAt).one(db).await?.map(|d| d.created_at);
    let oldest = [oldest_event, oldest_delivery].into_iter().flatten().min();
    Ok((depth, oldest.map(|t| (now - t).num_milliseconds().max(0) as f64 / 1000.0).unwrap_or(0.0)))
}

//! Notifications: the scheduler inside the server (and `samenhier notify run`) makes passes;
//! each pass
//! 1. finds due dates (check-ins due and overdue, matches due for completion, households to
//!    re-confirm) and writes each as an event once (`services::outbox::enqueue` with a key);
//! 2. fans events out: one e-mail delivery per person who gets the kind (by role and
//!    relation, minus those who turned it off; a digest item waits for the digest hour), one
//!    webhook delivery per active endpoint that subscribed to it;
//! 3. sends what is due: claims deliveries for a lease, sends outside any transaction, then
//!    marks them sent or schedules the next attempt (exponential back-off).
//!
//! Several replicas on PostgreSQL claim with `FOR UPDATE SKIP LOCKED`, so each event is fanned
//! out once and each delivery sent by one replica. A crash after sending and before marking
//! leaves the lease to run out and the delivery is sent again: at least once, never zero times;
//! the event id lets a receiver tell. SMTP or a receiver that is down or slow holds up only this
//! task, never a request.

pub mod email;
pub mod webhook;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::{Value, json};

use domain::enums::{Channel, DeliveryMode, DeliveryStatus, EventKind, Role};
use domain::error::AppResult;
use domain::policy::Principal;
use entity::{
    city, matches, notification_delivery as delivery, notification_event as event, notification_preference, user,
    webhook_endpoint, welcome_group,
};
use services::config::{NotifySettings, Settings};
use services::metrics::Metrics;
use services::outbox::{self, NewEvent};

/// Events or deliveries taken in one statement.
const BATCH: u64 = 100;
/// The longest wait between two attempts.
const MAX_WAIT: Duration = Duration::from_secs(6 * 3600);

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Due dates announced for the first time.
    pub due: usize,
    /// Events fanned out.
    pub fanned_out: usize,
    /// Deliveries sent (a digest counts each item).
    pub sent: usize,
    /// Attempts that failed (to be retried, or given up).
    pub failed: usize,
}

/// The scheduler's collaborators.
pub struct Notifier {
    db: DatabaseConnection,
    cfg: NotifySettings,
    tz: Tz,
    mailer: Option<email::Mailer>,
    http: reqwest::Client,
    metrics: Arc<Metrics>,
}

/// The scheduler's own principal: it reads every city's due dates, as staff would.
fn scheduler() -> Principal {
    Principal { user_id: "scheduler".into(), role: Role::Admin, city: None, group: None, supported: None }
}

/// The next digest time strictly after `now`: `hour` o'clock in the programme's zone.
pub fn next_digest(now: DateTime<Utc>, tz: Tz, hour: u32) -> DateTime<Utc> {
    let local = now.with_timezone(&tz);
    let mut day = local.date_naive();
    for _ in 0..4 {
        if let Some(at) = day.and_hms_opt(hour, 0, 0).and_then(|t| tz.from_local_datetime(&t).earliest())
            && at > local
        {
            return at.with_timezone(&Utc);
        }
        day = day.succ_opt().unwrap_or(day);
    }
    now + chrono::Duration::days(1)
}

/// The wait after the `attempts`-th failed attempt: base, 2 × base, 4 × base, ... up to 6 hours.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let factor = 2u32.saturating_pow(u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20));
    base.saturating_mul(factor).min(MAX_WAIT)
}

impl Notifier {
    pub fn new(db: DatabaseConnection, settings: &Settings, metrics: Arc<Metrics>) -> anyhow::Result<Self> {
        let cfg = settings.notify.clone();
        let mailer = match &cfg.smtp {
            Some(s) => Some(email::Mailer::new(s, cfg.timeout)?),
            None => None,
        };
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("samenhier-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { db, cfg, tz: settings.time_zone, mailer, http, metrics })
    }

    /// Runs passes every interval until the process ends.
    pub fn spawn(self: Arc<Self>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            if self.mailer.is_none() {
                tracing::info!("SAMENHIER_SMTP_HOST is unset: no e-mail notifications; webhooks are sent");
            }
            let mut tick = tokio::time::interval(self.cfg.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match self.pass().await {
                    Ok(r) if r != PassReport::default() => {
                        tracing::info!(
                            due = r.due,
                            fanned_out = r.fanned_out,
                            sent = r.sent,
                            failed = r.failed,
                            "notifications"
                        )
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = ?e, "notification pass failed; the next pass tries again"),
                }
            }
        })
    }

    /// One pass: due dates, fan-out, sending.
    pub async fn pass(&self) -> AppResult<PassReport> {
        let now = Utc::now();
        let due = self.find_due(now).await?;
        let fanned_out = self.fan_out(now).await?;
        let (sent, failed) = self.send_due(now).await?;
        let (depth, oldest) = outbox::backlog(&self.db, Utc::now()).await?;
        self.metrics.outbox(depth, oldest);
        Ok(PassReport { due, fanned_out, sent, failed })
    }

    async fn find_due(&self, now: DateTime<Utc>) -> AppResult<usize> {
        let today = now.with_timezone(&self.tz).date_naive();
        let p = scheduler();
        let mut found = 0;
        for c in city::Entity::find().all(&self.db).await? {
            let slug = c.slug.as_str();
            let mut events = Vec::new();
            for d in services::year::check_ins_due(&self.db, today, &p, slug).await? {
                let kind = if d.overdue { EventKind::CheckInOverdue } else { EventKind::CheckInDue };
                let view = match d.view {
                    services::year::CheckInView::Group => "GROUP",
                    services::year::CheckInView::Household => "HOUSEHOLD",
                };
                events.push((
                    kind,
                    "match",
                    d.matched.id.clone(),
                    format!("{}:{}:{}:{view}", kind.code(), d.matched.id, d.month),
                    json!({ "matchId": d.matched.id, "month": d.month, "view": view, "due": d.due }),
                ));
            }
            for m in services::year::due_for_completion(&self.db, today, &p, slug).await? {
                let kind = EventKind::MatchDueForCompletion;
                events.push((
                    kind,
                    "match",
                    m.id.clone(),
                    format!("{}:{}", kind.code(), m.id),
                    json!({ "matchId": m.id, "due": m.planned_end_date }),
                ));
            }
            for n in services::decisions::reconfirmations_due(&self.db, &p, slug).await? {
                let kind = EventKind::ReconfirmationDue;
                // Once per confirmation: after the household confirms, the next one is announced.
                let since = n.confirmed_at.unwrap_or(n.created_at).date_naive();
                events.push((
                    kind,
                    "newcomer",
                    n.id.clone(),
                    format!("{}:{}:{since}", kind.code(), n.id),
                    json!({ "newcomerId": n.id }),
                ));
            }
            for (kind, entity_type, id, key, data) in events {
                let e = NewEvent { kind, city: Some(slug), entity_type, entity_id: &id, dedupe_key: Some(key), data };
                if outbox::enqueue(&self.db, e).await? {
                    found += 1;
                }
            }
        }
        Ok(found)
    }

    /// Turns waiting events into deliveries, `BATCH` at a time, each batch in one transaction
    /// holding its events locked.
    async fn fan_out(&self, now: DateTime<Utc>) -> AppResult<usize> {
        let mut total = 0;
        loop {
            let txn = self.db.begin().await?;
            let events = event::Entity::find()
                .filter(event::Column::FannedOutAt.is_null())
                .order_by_asc(event::Column::Id)
                .limit(BATCH)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .all(&txn)
                .await?;
            let endpoints =
                webhook_endpoint::Entity::find().filter(webhook_endpoint::Column::Active.eq(true)).all(&txn).await?;
            for e in &events {
                if let Some(kind) = EventKind::from_code(&e.kind) {
                    self.deliveries_of(&txn, kind, e, &endpoints, now).await?;
                }
                event::Entity::update_many()
                    .col_expr(event::Column::FannedOutAt, Expr::value(now))
                    .filter(event::Column::Id.eq(e.id.as_str()))
                    .exec(&txn)
                    .await?;
            }
            txn.commit().await?;
            total += events.len();
            if (events.len() as u64) < BATCH {
                return Ok(total);
            }
        }
    }

    async fn deliveries_of(
        &self,
        conn: &impl ConnectionTrait,
        kind: EventKind,
        e: &event::Model,
        endpoints: &[webhook_endpoint::Model],
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let data = with_match_ids(conn, &e.data).await?;
        let new = |channel: Channel, user: Option<String>, endpoint: Option<String>, digest: bool, payload: String| {
            delivery::ActiveModel {
                id: Set(services::new_id()),
                event_id: Set(e.id.clone()),
                kind: Set(e.kind.clone()),
                channel: Set(channel.code().to_owned()),
                user_id: Set(user),
                endpoint_id: Set(endpoint),
                status: Set(DeliveryStatus::Pending.code().to_owned()),
                digest: Set(digest),
                payload: Set(payload),
                attempts: Set(0),
                next_attempt_at: Set(if digest { next_digest(now, self.tz, self.cfg.digest_hour) } else { now }),
                locked_until: Set(None),
                last_attempt_at: Set(None),
                last_status: Set(None),
                last_error: Set(None),
                sent_at: Set(None),
                created_at: Set(now),
            }
        };
        if self.mailer.is_some() {
            for (u, mode) in recipients(conn, kind, e, &data).await? {
                new(Channel::Email, Some(u.id), None, mode == DeliveryMode::Digest, data.to_string())
                    .insert(conn)
                    .await?;
            }
        }
        let body = json!({
            "id": e.id,
            "type": e.kind,
            "occurredAt": e.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "city": e.city_slug,
            "data": data,
        })
        .to_string();
        for ep in endpoints.iter().filter(|ep| subscribes(ep, kind, e.city_slug.as_deref())) {
            new(Channel::Webhook, None, Some(ep.id.clone()), false, body.clone()).insert(conn).await?;
        }
        Ok(())
    }

    /// Sends due deliveries: immediate ones one by one, digest items one message per person.
    async fn send_due(&self, now: DateTime<Utc>) -> AppResult<(usize, usize)> {
        let (mut sent, mut failed) = (0, 0);
        loop {
            let claimed = self.claim(now, false).await?;
            for d in &claimed {
                let outcome = self.send_one(d).await;
                let ok = self.settle(std::slice::from_ref(d), outcome).await?;
                if ok { sent += 1 } else { failed += 1 }
            }
            if (claimed.len() as u64) < BATCH {
                break;
            }
        }
        loop {
            let claimed = self.claim(now, true).await?;
            let mut by_user: BTreeMap<String, Vec<delivery::Model>> = BTreeMap::new();
            for d in &claimed {
                by_user.entry(d.user_id.clone().unwrap_or_default()).or_default().push(d.clone());
            }
            for (user_id, items) in by_user {
                let outcome = self.send_mail(&user_id, &items).await;
                let ok = self.settle(&items, outcome).await?;
                if ok { sent += items.len() } else { failed += items.len() }
            }
            if (claimed.len() as u64) < BATCH {
                break;
            }
        }
        Ok((sent, failed))
    }

    /// Takes due deliveries for a lease, so no other replica sends them meanwhile.
    async fn claim(&self, now: DateTime<Utc>, digest: bool) -> AppResult<Vec<delivery::Model>> {
        let txn = self.db.begin().await?;
        let paused: Vec<String> = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Active.eq(false))
            .all(&txn)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        let mut q = delivery::Entity::find()
            .filter(delivery::Column::Status.eq(DeliveryStatus::Pending.code()))
            .filter(delivery::Column::Digest.eq(digest))
            .filter(delivery::Column::NextAttemptAt.lte(now))
            .filter(
                Condition::any()
                    .add(delivery::Column::LockedUntil.is_null())
                    .add(delivery::Column::LockedUntil.lt(now)),
            );
        if !paused.is_empty() {
            q = q.filter(
                Condition::any()
                    .add(delivery::Column::EndpointId.is_null())
                    .add(delivery::Column::EndpointId.is_not_in(paused)),
            );
        }
        let rows = q
            .order_by_asc(delivery::Column::NextAttemptAt)
            .order_by_asc(delivery::Column::Id)
            .limit(BATCH)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        if !rows.is_empty() {
            // Long enough for every send of the batch to time out, so a live replica keeps it.
            let lease = self.cfg.timeout.saturating_mul(BATCH as u32 + 2);
            let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::hours(1));
            delivery::Entity::update_many()
                .col_expr(delivery::Column::LockedUntil, Expr::value(until))
                .filter(delivery::Column::Id.is_in(rows.iter().map(|d| d.id.clone())))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(rows)
    }

    async fn send_one(&self, d: &delivery::Model) -> Result<Option<i32>, (Option<i32>, String)> {
        match Channel::from_code(&d.channel) {
            Some(Channel::Webhook) => {
                let ep = match d.endpoint_id.as_deref() {
                    Some(id) => webhook_endpoint::Entity::find_by_id(id).one(&self.db).await,
                    None => Ok(None),
                };
                let ep = match ep {
                    Ok(Some(ep)) => ep,
                    Ok(None) => return Err((None, "the endpoint no longer exists".into())),
                    Err(e) => return Err((None, format!("database: {e:?}"))),
                };
                let o = webhook::post(&self.http, &ep.url, &ep.secret, &d.event_id, &d.payload).await;
                match o.error {
                    None => Ok(o.status),
                    Some(err) => Err((o.status, err)),
                }
            }
            Some(Channel::Email) => {
                self.send_mail(d.user_id.as_deref().unwrap_or_default(), std::slice::from_ref(d)).await
            }
            None => Err((None, format!("unknown channel {:?}", d.channel))),
        }
    }

    /// One e-mail to one person of one or more deliveries (a digest when more, or when they
    /// were kept for the digest).
    async fn send_mail(&self, user_id: &str, items: &[delivery::Model]) -> Result<Option<i32>, (Option<i32>, String)> {
        let Some(mailer) = &self.mailer else { return Err((None, "no SMTP server is configured".into())) };
        let u = match user::Entity::find_by_id(user_id).one(&self.db).await {
            Ok(Some(u)) if u.disabled_at.is_none() => u,
            Ok(_) => return Err((None, "the account is disabled or gone".into())),
            Err(e) => return Err((None, format!("database: {e:?}"))),
        };
        let texts = email::Texts::of(u.language.as_deref().unwrap_or("nl"));
        let mut lines = Vec::new();
        for d in items {
            match self.item(&texts, d).await {
                Ok(i) => lines.push(i),
                Err(e) => return Err((None, format!("database: {e:?}"))),
            }
        }
        let digest = items.iter().any(|d| d.digest);
        let mail = email::compose(&texts, &lines, digest, &format!("{}/#/settings", self.cfg.public_url));
        mailer.send(&u.email, &mail).await.map(|_| None).map_err(|e| (None, e))
    }

    /// The line of one delivery in the reader's language, from ids only.
    async fn item(&self, texts: &email::Texts, d: &delivery::Model) -> AppResult<email::Item> {
        let data: Value = serde_json::from_str(&d.payload).unwrap_or(Value::Null);
        let ev = event::Entity::find_by_id(d.event_id.as_str()).one(&self.db).await?;
        let city_slug = ev.as_ref().and_then(|e| e.city_slug.clone()).unwrap_or_default();
        let city =
            city::Entity::find_by_id(city_slug.as_str()).one(&self.db).await?.map(|c| c.name).unwrap_or(city_slug);
        let s = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_owned);
        let group = match s("groupId") {
            Some(g) => welcome_group::Entity::find_by_id(g.as_str()).one(&self.db).await?.map(|g| g.name),
            None => None,
        }
        .unwrap_or_default();
        let month = match data.get("month").and_then(Value::as_i64) {
            Some(0) => texts.get("month.0", &[]),
            Some(n) => texts.get("month.n", &[("n", n.to_string())]),
            None => String::new(),
        };
        let due = s("due")
            .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .map(|d| texts.date(d))
            .unwrap_or_default();
        let view = s("view").map(|v| texts.get(&format!("view.{v}"), &[])).unwrap_or_default();
        let count = data.get("proposed").and_then(Value::as_i64).unwrap_or(1);
        let version = data.get("version").map(|v| v.to_string()).unwrap_or_default();
        let args = [
            ("group", group),
            ("city", city),
            ("month", month),
            ("due", due),
            ("view", view),
            ("count", count.to_string()),
            ("version", version),
        ];
        let line_key = if d.kind == EventKind::MatchesProposed.code() {
            format!("{}.line.{}", d.kind, if count == 1 { "one" } else { "other" })
        } else {
            format!("{}.line", d.kind)
        };
        let base = &self.cfg.public_url;
        let link = match (EventKind::from_code(&d.kind), s("matchId"), s("newcomerId")) {
            (Some(EventKind::MatchesProposed), _, _) => format!("{base}/#/matching"),
            (Some(EventKind::ScriptPublished), _, _) => format!("{base}/#/scripts"),
            (_, Some(m), _) => format!("{base}/#/match/{m}"),
            (_, None, Some(n)) => format!("{base}/#/households/{n}"),
            _ => format!("{base}/"),
        };
        Ok(email::Item {
            subject: texts.get(&format!("{}.subject", d.kind), &args),
            line: texts.get(&line_key, &args),
            link,
        })
    }

    /// Marks deliveries after an attempt; true when it succeeded.
    async fn settle(
        &self,
        items: &[delivery::Model],
        outcome: Result<Option<i32>, (Option<i32>, String)>,
    ) -> AppResult<bool> {
        let now = Utc::now();
        let ok = outcome.is_ok();
        for d in items {
            let attempts = d.attempts + 1;
            let mut am: delivery::ActiveModel = d.clone().into();
            am.attempts = Set(attempts);
            am.last_attempt_at = Set(Some(now));
            am.locked_until = Set(None);
            let label = match &outcome {
                Ok(status) => {
                    am.status = Set(DeliveryStatus::Sent.code().to_owned());
                    am.sent_at = Set(Some(now));
                    am.last_status = Set(*status);
                    am.last_error = Set(None);
                    tracing::info!(delivery = %d.id, event = %d.event_id, channel = %d.channel, kind = %d.kind, attempts, "notification sent");
                    "sent"
                }
                Err((status, error)) => {
                    let wait = backoff(self.cfg.retry_base, attempts);
                    let next = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6));
                    let give_up = next - d.created_at
                        > chrono::Duration::from_std(self.cfg.retry_for).unwrap_or(chrono::Duration::days(2));
                    am.last_status = Set(*status);
                    am.last_error = Set(Some(error.chars().take(500).collect()));
                    am.next_attempt_at = Set(next);
                    if give_up {
                        am.status = Set(DeliveryStatus::Failed.code().to_owned());
                    }
                    tracing::warn!(delivery = %d.id, event = %d.event_id, channel = %d.channel, kind = %d.kind, attempts, error = %error, give_up, "notification not delivered");
                    if give_up { "failed" } else { "retry" }
                }
            };
            am.update(&self.db).await?;
            let channel = if d.channel == Channel::Email.code() { "email" } else { "webhook" };
            self.metrics.delivery(channel, &d.kind, label);
        }
        Ok(ok)
    }
}

/// The event's data with the match's group and household ids added (for match events), so
/// receivers need not ask.
async fn with_match_ids(conn: &impl ConnectionTrait, data: &Value) -> AppResult<Value> {
    let mut data = data.clone();
    let match_id = data.get("matchId").and_then(Value::as_str).map(str::to_owned);
    if let (Some(id), Some(obj)) = (match_id, data.as_object_mut())
        && let Some(m) = matches::Entity::find_by_id(id.as_str()).one(conn).await?
    {
        obj.insert("groupId".into(), json!(m.group_id));
        obj.insert("newcomerId".into(), json!(m.newcomer_id));
    }
    Ok(data)
}

fn subscribes(ep: &webhook_endpoint::Model, kind: EventKind, city: Option<&str>) -> bool {
    let kinds = ep.kinds.as_array().map(|a| a.iter().any(|k| k.as_str() == Some(kind.code()))).unwrap_or(false);
    kinds && (ep.city_slug.is_none() || ep.city_slug.as_deref() == city)
}

/// Who gets an event by e-mail, and how: by role and relation to the event's records, among
/// active accounts whose role gets the kind and who did not turn it off.
async fn recipients(
    conn: &impl ConnectionTrait,
    kind: EventKind,
    e: &event::Model,
    data: &Value,
) -> AppResult<Vec<(user::Model, DeliveryMode)>> {
    use EventKind::*;
    let m = match data.get("matchId").and_then(Value::as_str) {
        Some(id) => matches::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    let view = data.get("view").and_then(Value::as_str);
    let (staff, coordinator, builder, admins) = match kind {
        MatchesProposed | MatchRejected | MatchDueForCompletion | ReconfirmationDue => (true, false, false, false),
        MatchAccepted | MatchEnded | MatchCompleted => (true, true, true, false),
        CheckInDue => (false, view == Some("GROUP"), view == Some("HOUSEHOLD"), false),
        CheckInOverdue => (true, view == Some("GROUP"), view == Some("HOUSEHOLD"), false),
        ScriptPublished => (true, false, false, true),
    };
    let mut any = Condition::any();
    if let (true, Some(city)) = (staff, &e.city_slug) {
        any = any.add(
            Condition::all()
                .add(user::Column::Role.eq(entity::Role::CityAdmin))
                .add(user::Column::CitySlug.eq(city.as_str())),
        );
    }
    if admins {
        any = any.add(user::Column::Role.eq(entity::Role::Admin));
    }
    if let (true, Some(m)) = (coordinator, &m) {
        any = any.add(
            Condition::all()
                .add(user::Column::Role.eq(entity::Role::Coordinator))
                .add(user::Column::GroupId.eq(m.group_id.as_str())),
        );
    }
    if let (true, Some(b)) = (builder, m.as_ref().and_then(|m| m.community_builder_id.as_deref())) {
        any = any.add(
            Condition::all().add(user::Column::Role.eq(entity::Role::CommunityBuilder)).add(user::Column::Id.eq(b)),
        );
    }
    if any.is_empty() {
        return Ok(Vec::new());
    }
    let users = user::Entity::find()
        .filter(any)
        .filter(user::Column::DisabledAt.is_null())
        .order_by_asc(user::Column::Id)
        .all(conn)
        .await?;
    let chosen = notification_preference::Entity::find()
        .filter(notification_preference::Column::Kind.eq(kind.code()))
        .filter(notification_preference::Column::UserId.is_in(users.iter().map(|u| u.id.clone())))
        .all(conn)
        .await?;
    Ok(users
        .into_iter()
        .filter(|u| outbox::kinds_for(u.role.into()).contains(&kind))
        .filter_map(|u| {
            let mode = chosen
                .iter()
                .find(|c| c.user_id == u.id)
                .and_then(|c| DeliveryMode::from_code(&c.delivery))
                .unwrap_or(DeliveryMode::Immediate);
            (mode != DeliveryMode::Off).then_some((u, mode))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_six_hours_and_cover_more_than_a_day() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 1), Duration::from_secs(30));
        assert_eq!(backoff(base, 2), Duration::from_secs(60));
        assert_eq!(backoff(base, 5), Duration::from_secs(480));
        assert_eq!(backoff(base, 40), MAX_WAIT);
        let total: Duration = (1..=14).map(|a| backoff(base, a)).sum();
        assert!(total > Duration::from_secs(24 * 3600), "fourteen attempts span {total:?}");
    }

    #[test]
    fn the_digest_hour_is_the_next_one_in_the_programmes_zone() {
        let tz: Tz = "Europe/Amsterdam".parse().unwrap();
        // 06:30 in Amsterdam (winter, UTC+1): today 07:00.
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 5, 30, 0).unwrap();
        assert_eq!(next_digest(now, tz, 7), Utc.with_ymd_and_hms(2026, 12, 7, 6, 0, 0).unwrap());
        // 07:00 sharp: tomorrow.
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 6, 0, 0).unwrap();
        assert_eq!(next_digest(now, tz, 7), Utc.with_ymd_and_hms(2026, 12, 8, 6, 0, 0).unwrap());
        // Summer time (UTC+2).
        let now = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        assert_eq!(next_digest(now, tz, 7), Utc.with_ymd_and_hms(2026, 7, 2, 5, 0, 0).unwrap());
    }
}

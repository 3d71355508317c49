//! Notifications: each person's choices (`myNotificationSettings`), and the webhook endpoints
//! of partner apps with their deliveries (ADMIN). README "Notifications" says what is sent when.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::{notification_delivery, webhook_endpoint};

use crate::DB_COST;
use crate::context::both;
use crate::error::IntoGql;
use crate::scalars::Timestamp;
use services::outbox;

/// What a notification is about.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::enums::EventKind")]
pub enum EventKind {
    /// A round proposed matches, or staff proposed one by hand: decisions wait (city staff).
    MatchesProposed,
    /// A proposal was accepted: the year starts (city staff, the group's coordinator, the
    /// match's community builder).
    MatchAccepted,
    /// A proposal was declined (city staff).
    MatchRejected,
    /// A match ended before its year was over (city staff, coordinator, community builder).
    MatchEnded,
    /// A match completed its year (city staff, coordinator, community builder).
    MatchCompleted,
    /// A check-in fell due: the group's view to its coordinator, the household's to the
    /// match's community builder.
    CheckInDue,
    /// A check-in is overdue: as CHECK_IN_DUE, and city staff.
    CheckInOverdue,
    /// A match is past its planned end and can be completed (city staff).
    MatchDueForCompletion,
    /// A waiting household should be asked whether it still wants a group (city staff).
    ReconfirmationDue,
    /// A city published a new version of its scoring script (city staff and ADMIN).
    ScriptPublished,
}

/// How a person gets one kind of notification.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::enums::DeliveryMode")]
pub enum DeliveryMode {
    /// An e-mail as soon as it happens.
    Immediate,
    /// Collected into one e-mail a day, at the digest hour.
    Digest,
    /// Not at all.
    Off,
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::enums::DeliveryStatus")]
pub enum DeliveryStatus {
    /// Not sent yet, or to be tried again (see `nextAttemptAt`).
    Pending,
    /// The receiver answered 2xx.
    Sent,
    /// Given up after the retry window (48 hours unless configured); `redeliverWebhook` sends
    /// it again.
    Failed,
}

/// How one kind reaches the caller.
#[derive(SimpleObject)]
pub struct NotificationPreference {
    /// The kind.
    pub kind: EventKind,
    /// How it is delivered.
    pub delivery: DeliveryMode,
}

/// The caller's choices about notifications.
#[derive(SimpleObject)]
pub struct NotificationSettings {
    /// The language of the caller's e-mails: "nl" (the default) or "en".
    pub language: String,
    /// One entry per kind the caller's role receives; IMMEDIATE unless chosen otherwise.
    pub preferences: Vec<NotificationPreference>,
}

impl From<outbox::MySettings> for NotificationSettings {
    fn from(s: outbox::MySettings) -> Self {
        Self {
            language: s.language,
            preferences: s
                .preferences
                .into_iter()
                .map(|(k, m)| NotificationPreference { kind: k.into(), delivery: m.into() })
                .collect(),
        }
    }
}

/// One kind and how to deliver it.
#[derive(InputObject)]
pub struct NotificationPreferenceInput {
    /// A kind the caller's role receives.
    pub kind: EventKind,
    /// How.
    pub delivery: DeliveryMode,
}

/// Changes to the caller's choices; what is left out stays.
#[derive(InputObject)]
pub struct NotificationSettingsInput {
    /// "nl" or "en".
    pub language: Option<String>,
    /// The kinds to change (each at most once).
    #[graphql(default)]
    pub preferences: Vec<NotificationPreferenceInput>,
}

/// A partner app's receiver of events. Each delivery is a POST of JSON
/// `{id, type, occurredAt, city, data}` (ids only, no personal data) signed as Standard Webhooks
/// does: headers `webhook-id`, `webhook-timestamp`, `webhook-signature`.
pub struct WebhookEndpoint(webhook_endpoint::Model);

/// A partner app's receiver of events.
#[Object]
impl WebhookEndpoint {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The kinds it receives.
    async fn kinds(&self) -> Vec<EventKind> {
        let codes = self.0.kinds.as_array().cloned().unwrap_or_default();
        codes.iter().filter_map(|c| c.as_str().and_then(domain::enums::EventKind::from_code)).map(Into::into).collect()
    }
    /// Only this city's events; null for every city.
    async fn city_slug(&self) -> Option<&str> {
        self.0.city_slug.as_deref()
    }
    /// False while paused: nothing new is delivered, and what was pending waits.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// When it was registered.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

/// A new endpoint and its signing secret.
#[derive(SimpleObject)]
pub struct WebhookEndpointCreated {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// The signing secret (`whsec_` and base64 of 32 bytes). Shown only now: keep it with the
    /// receiver.
    pub secret: String,
}

/// An endpoint to register.
#[derive(InputObject)]
pub struct WebhookEndpointInput {
    /// An absolute https:// (or http://) URL without user name or password.
    pub url: String,
    /// At least one kind.
    pub kinds: Vec<EventKind>,
    /// Only this city's events; omitted for every city.
    pub city_slug: Option<String>,
}

/// Changes to an endpoint; what is left out stays.
#[derive(InputObject)]
pub struct WebhookEndpointChange {
    /// A new URL.
    pub url: Option<String>,
    /// The new set of kinds (at least one).
    pub kinds: Option<Vec<EventKind>>,
    /// A city, or null for every city.
    pub city_slug: MaybeUndefined<String>,
    /// False pauses it; true resumes it.
    pub active: Option<bool>,
}

/// One POST of one event to one endpoint, with its attempts.
pub struct WebhookDelivery(notification_delivery::Model);

/// One POST of one event to one endpoint, with its attempts.
#[Object]
impl WebhookDelivery {
    /// Opaque id of the delivery.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The event id (the `webhook-id` header; the same on every attempt and redelivery).
    async fn event_id(&self) -> ID {
        ID(self.0.event_id.clone())
    }
    /// The endpoint.
    async fn endpoint_id(&self) -> Option<ID> {
        self.0.endpoint_id.clone().map(ID)
    }
    /// What the event is about.
    async fn kind(&self) -> Option<EventKind> {
        domain::enums::EventKind::from_code(&self.0.kind).map(Into::into)
    }
    /// Where it stands.
    async fn status(&self) -> Option<DeliveryStatus> {
        domain::enums::DeliveryStatus::from_code(&self.0.status).map(Into::into)
    }
    /// Attempts made.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// The HTTP status of the last attempt, if the receiver answered.
    async fn last_status_code(&self) -> Option<i32> {
        self.0.last_status
    }
    /// Why the last attempt failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the last attempt was made.
    async fn last_attempt_at(&self) -> Option<Timestamp> {
        self.0.last_attempt_at.map(Timestamp)
    }
    /// When the next attempt is due, while PENDING.
    async fn next_attempt_at(&self) -> Option<Timestamp> {
        (self.0.status == domain::enums::DeliveryStatus::Pending.code()).then_some(Timestamp(self.0.next_attempt_at))
    }
    /// When the receiver took it.
    async fn sent_at(&self) -> Option<Timestamp> {
        self.0.sent_at.map(Timestamp)
    }
    /// When the delivery was made from its event.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
    /// The body exactly as signed and sent.
    async fn payload(&self) -> &str {
        &self.0.payload
    }
}

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The caller's notification choices: language, and per kind their role receives, how.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn my_notification_settings(&self, ctx: &Context<'_>) -> async_graphql::Result<NotificationSettings> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            outbox::my_settings(&state.db, p).await.map(Into::into)
        };
        run.await.gql()
    }

    /// The registered webhook endpoints, oldest first (ADMIN).
    #[graphql(complexity = "10 * child_complexity + DB_COST")]
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<WebhookEndpoint>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Ok(outbox::list_endpoints(&state.db, p).await?.into_iter().map(WebhookEndpoint).collect())
        };
        run.await.gql()
    }

    /// Webhook deliveries, newest first (ADMIN).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + DB_COST")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this endpoint's.")] endpoint_id: Option<ID>,
        #[graphql(desc = "Only deliveries in this state.")] status: Option<DeliveryStatus>,
        #[graphql(desc = "Only events of this kind.")] kind: Option<EventKind>,
        #[graphql(desc = "Page size, 1-100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; omitted for the first page.")] after: Option<String>,
    ) -> async_graphql::Result<crate::connection::Conn<WebhookDelivery>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let args = services::page::PageArgs::parse(first, after.as_deref())?;
            let filter = outbox::DeliveryFilter {
                endpoint_id: endpoint_id.map(|i| i.0),
                status: status.map(Into::into),
                kind: kind.map(Into::into),
            };
            let page = outbox::deliveries(&state.db, p, filter, &args).await?;
            Ok(crate::connection::from_page(page, args.after.is_some(), |d| d.id.clone(), WebhookDelivery))
        };
        run.await.gql()
    }
}

#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Changes the caller's language and how they get each kind. A kind their role does not
    /// receive answers BAD_USER_INPUT on `preferences[i].kind`.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn update_my_notification_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What changes.")] input: NotificationSettingsInput,
    ) -> async_graphql::Result<NotificationSettings> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let prefs: Vec<_> = input.preferences.iter().map(|x| (x.kind.into(), x.delivery.into())).collect();
            outbox::update_my_settings(&state.db, p, input.language.as_deref(), &prefs).await.map(Into::into)
        };
        run.await.gql()
    }

    /// Registers a webhook endpoint (ADMIN); the answer holds its signing secret, shown once.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Where, which kinds, which city.")] input: WebhookEndpointInput,
    ) -> async_graphql::Result<WebhookEndpointCreated> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let input = outbox::EndpointInput {
                url: Some(input.url),
                kinds: Some(input.kinds.into_iter().map(Into::into).collect()),
                city: Some(input.city_slug),
                active: None,
            };
            let (endpoint, secret) = outbox::create_endpoint(&state.db, p, input).await?;
            Ok(WebhookEndpointCreated { endpoint: WebhookEndpoint(endpoint), secret })
        };
        run.await.gql()
    }

    /// Changes, pauses or resumes an endpoint (ADMIN).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the endpoint.")] id: ID,
        #[graphql(desc = "What changes.")] input: WebhookEndpointChange,
    ) -> async_graphql::Result<WebhookEndpoint> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let city = match input.city_slug {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(c) => Some(Some(c)),
            };
            let change = outbox::EndpointInput {
                url: input.url,
                kinds: input.kinds.map(|k| k.into_iter().map(Into::into).collect()),
                city,
                active: input.active,
            };
            outbox::update_endpoint(&state.db, p, &id, change).await.map(WebhookEndpoint)
        };
        run.await.gql()
    }

    /// Removes an endpoint and its unsent deliveries (ADMIN); the log of sent ones stays.
    #[graphql(complexity = "DB_COST")]
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the endpoint.")] id: ID,
    ) -> async_graphql::Result<bool> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            outbox::delete_endpoint(&state.db, p, &id).await.map(|_| true)
        };
        run.await.gql()
    }

    /// Sends a delivery again at the scheduler's next pass, with the same event id and body
    /// (ADMIN).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the delivery.")] id: ID,
    ) -> async_graphql::Result<WebhookDelivery> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            outbox::redeliver(&state.db, p, &id).await.map(WebhookDelivery)
        };
        run.await.gql()
    }
}

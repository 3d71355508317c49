//! Newcomers in GraphQL. What a caller sees of a newcomer depends on the role: staff see the
//! record; a coordinator sees what the match needs (contact details only with consent); a
//! partner sees the status only. A field outside the caller's view answers FORBIDDEN.

use crate::DB_COST;
use async_graphql::{Context, ID, Object, SimpleObject};
use entity::newcomer;

use crate::cities::{self, City};
use crate::connection::{Conn, from_page};
use crate::context::both;
use crate::enums::{CefrLevel, Gender, NewcomerStatus};
use crate::enums::{Goal, LanguageLevel};
use crate::error::{IntoGql, IntoGraphql};
use crate::inputs::{RegisterNewcomerInput, UpdateNewcomerInput};
use crate::scalars::{Date, Timestamp};
use domain::error::AppError;
use domain::error::AppResult;
use domain::policy::Principal;
use services::audit;
use services::newcomers::{self as svc, HouseholdView as View, NewcomerFilter};
use services::page::PageArgs;
use services::sealed;

/// A newcomer household (a refugee with a residence permit, alone or with family).
/// Personal data: see the field docs for who may read what. A field the caller may not read
/// answers FORBIDDEN (null, with an error for that field); the rest of the answer stands.
pub struct Newcomer {
    model: newcomer::Model,
    view: View,
}

impl Newcomer {
    /// The household as `p` may see it: every path from a caller to household data builds the
    /// object here, through the one scope check (`svc::view_for`).
    pub async fn scoped(
        conn: &impl sea_orm::ConnectionTrait,
        model: newcomer::Model,
        p: &Principal,
    ) -> AppResult<Self> {
        let view = svc::view_for(conn, p, &model).await?;
        Ok(Self { model, view })
    }

    /// Many households, each through the same check.
    pub async fn scoped_all(
        conn: &impl sea_orm::ConnectionTrait,
        models: Vec<newcomer::Model>,
        p: &Principal,
    ) -> AppResult<Vec<Self>> {
        let mut out = Vec::with_capacity(models.len());
        for m in models {
            out.push(Self::scoped(conn, m, p).await?);
        }
        Ok(out)
    }

    fn allow<T>(&self, views: &[View], value: T) -> async_graphql::Result<T> {
        if views.contains(&self.view) {
            Ok(value)
        } else {
            Err(AppError::forbidden("you may not read this field of this newcomer").into_graphql())
        }
    }

    fn full<T>(&self, value: T) -> async_graphql::Result<T> {
        self.allow(&[View::Full], value)
    }

    /// Staff, and the coordinator of a group it is proposed to or matched with.
    fn match_view<T>(&self, value: T) -> async_graphql::Result<T> {
        self.allow(&[View::Full, View::Active, View::Proposal], value)
    }

    /// Notes a contact detail that was read (and not empty) for the request's audit.
    fn audit_contact(&self, ctx: &Context<'_>, field: &'static str, read: bool) -> async_graphql::Result<()> {
        let record = audit::ContactRead {
            entity_type: "newcomer",
            entity_id: self.model.id.clone(),
            city: Some(self.model.city_slug.clone()),
            group_id: None,
            field,
        };
        crate::context::audit_contact_read(ctx, read, record)
    }

    /// A sealed field of the household, opened with its key.
    async fn open(
        &self,
        ctx: &Context<'_>,
        column: sealed::Column,
        stored: Option<&str>,
    ) -> async_graphql::Result<Option<String>> {
        crate::loaders::open(ctx, &self.model.id, column, &self.model.id, stored).await.gql()
    }

    /// Staff; the coordinator of the ACTIVE match only where the household agreed.
    fn contact<T>(&self, value: T) -> async_graphql::Result<T> {
        if self.view == View::Active && self.model.share_contact_with_group {
            return Ok(value);
        }
        self.full(value)
    }
}

/// A household's baseline: where it stood at registration, to measure the year against.
#[derive(SimpleObject)]
pub struct Baseline {
    /// People in the household's social network.
    pub network_size: i32,
    /// Work or education.
    pub work_status: crate::inputs::WorkStatus,
    /// Level of Dutch (CEFR).
    pub dutch_level: CefrLevel,
    /// Well-being, 1-5.
    pub wellbeing: i32,
    /// The day it was taken.
    pub recorded_on: crate::scalars::Date,
}

/// One language a newcomer speaks.
#[derive(SimpleObject)]
pub struct LanguageSkill {
    /// ISO 639-1 code.
    pub code: String,
    /// How well.
    pub level: LanguageLevel,
}

/// A newcomer household (a refugee with a residence permit, alone or with family).
/// Personal data: see the field docs for who may read what. A field the caller may not read
/// answers FORBIDDEN (null, with an error for that field); the rest of the answer stands.
#[Object]
impl Newcomer {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.model.id.clone())
    }
    /// The city the household lives in.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn city(&self, ctx: &Context<'_>) -> async_graphql::Result<City> {
        cities::load(ctx, &self.model.city_slug).await.gql()
    }
    /// Where the household stands. Staff, partners, and the coordinator of its current match.
    async fn status(&self) -> async_graphql::Result<Option<NewcomerStatus>> {
        self.allow(&[View::Full, View::Active, View::Proposal, View::Status], Some(self.model.status.into()))
    }
    /// Why the household was withdrawn, when it was. Staff only.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn status_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.full(())?;
        self.open(ctx, sealed::NEWCOMER_STATUS_REASON, self.model.status_reason.as_deref()).await
    }
    /// Full name of the primary contact. Staff only.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.full(())?;
        self.open(ctx, sealed::NEWCOMER_NAME, Some(&self.model.name)).await
    }
    /// What the group may call them. Staff and the match's coordinator.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn preferred_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.match_view(())?;
        self.open(ctx, sealed::NEWCOMER_PREFERRED_NAME, Some(&self.model.preferred_name)).await
    }
    /// E-mail address. Staff; the match's coordinator only where the newcomer agreed.
    /// Every read is audited.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.contact(())?;
        let value = self.open(ctx, sealed::NEWCOMER_EMAIL, self.model.email.as_deref()).await?;
        self.audit_contact(ctx, "email", value.is_some())?;
        Ok(value)
    }
    /// Phone number. Staff; the match's coordinator only where the newcomer agreed.
    /// Every read is audited.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn phone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.contact(())?;
        let value = self.open(ctx, sealed::NEWCOMER_PHONE, self.model.phone.as_deref()).await?;
        self.audit_contact(ctx, "phone", value.is_some())?;
        Ok(value)
    }
    /// When the household's personal data was erased; null while it is held. Staff only.
    async fn erased_at(&self) -> async_graphql::Result<Option<Timestamp>> {
        self.full(self.model.erased_at.map(Timestamp))
    }
    /// Year of birth of the primary contact. Staff only.
    async fn birth_year(&self) -> async_graphql::Result<Option<i32>> {
        self.full(Some(self.model.birth_year))
    }
    /// Gender of the primary contact. Staff only.
    async fn gender(&self) -> async_graphql::Result<Option<Gender>> {
        self.full(Some(self.model.gender.into()))
    }
    /// ISO 3166-1 alpha-2 country of origin. Staff only.
    async fn country_of_origin(&self) -> async_graphql::Result<Option<&str>> {
        self.full(Some(self.model.country_of_origin.as_str()))
    }
    /// Languages spoken. Staff and the match's coordinator.
    async fn languages(&self) -> async_graphql::Result<Option<Vec<LanguageSkill>>> {
        let skills = self
            .model
            .languages
            .0
            .iter()
            .map(|s| LanguageSkill {
                code: s.code.clone(),
                level: domain::values::LanguageLevel::parse(&s.level)
                    .unwrap_or(domain::values::LanguageLevel::Basic)
                    .into(),
            })
            .collect();
        self.match_view(Some(skills))
    }
    /// Level of Dutch (CEFR). Staff and the match's coordinator.
    async fn dutch_level(&self) -> async_graphql::Result<Option<CefrLevel>> {
        self.match_view(Some(self.model.dutch_level.into()))
    }
    /// Interest tags. Staff only.
    async fn interests(&self) -> async_graphql::Result<Option<&[String]>> {
        self.full(Some(self.model.interests.0.as_slice()))
    }
    /// Sector of work or training. Staff only.
    async fn sector(&self) -> async_graphql::Result<Option<&str>> {
        self.full(self.model.sector.as_deref())
    }
    /// Education in a few words. Staff only.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn education(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.full(())?;
        self.open(ctx, sealed::NEWCOMER_EDUCATION, self.model.education.as_deref()).await
    }
    /// What the household hopes the year brings. Staff and the match's coordinator.
    async fn goals(&self) -> async_graphql::Result<Option<Vec<Goal>>> {
        self.match_view(Some(
            self.model.goals.0.iter().filter_map(|g| domain::values::Goal::parse(g)).map(Goal::from).collect(),
        ))
    }
    /// Adults in the household. Staff and the match's coordinator.
    async fn household_adults(&self) -> async_graphql::Result<Option<i32>> {
        self.match_view(Some(self.model.household_adults))
    }
    /// Ages of the children, oldest first. Staff and the match's coordinator.
    async fn children_ages(&self) -> async_graphql::Result<Option<&[i32]>> {
        self.match_view(Some(self.model.children_ages.0.as_slice()))
    }
    /// Persons in the household (adults plus children). Staff and the match's coordinator.
    async fn household_size(&self) -> async_graphql::Result<Option<i32>> {
        self.match_view(Some(self.model.household_adults + self.model.children_ages.0.len() as i32))
    }
    /// Date of arrival in the Netherlands. Staff only.
    async fn arrival_date(&self) -> async_graphql::Result<Option<Date>> {
        self.full(Some(Date(self.model.arrival_date)))
    }
    /// Neighbourhood. Staff only.
    async fn neighbourhood(&self) -> async_graphql::Result<Option<&str>> {
        self.full(self.model.neighbourhood.as_deref())
    }
    /// Preferences and needs. Staff only.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn needs(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.full(())?;
        self.open(ctx, sealed::NEWCOMER_NEEDS, self.model.needs.as_deref()).await
    }
    /// Whether contact details may be shared with the group's coordinator. Staff only.
    async fn share_contact_with_group(&self) -> async_graphql::Result<Option<bool>> {
        self.full(Some(self.model.share_contact_with_group))
    }
    /// Date the person agreed to the privacy notice. Staff only.
    async fn consent_date(&self) -> async_graphql::Result<Option<Date>> {
        self.full(self.model.consent_date.map(Date))
    }
    /// Version of the privacy notice agreed to. Staff only.
    async fn privacy_notice_version(&self) -> async_graphql::Result<Option<&str>> {
        self.full(self.model.privacy_notice_version.as_deref())
    }
    /// The household's research consent (separate from the privacy notice); null when it gave
    /// none (the default) or withdrew it. Staff only.
    async fn research_consent(&self) -> async_graphql::Result<Option<crate::research::ResearchConsent>> {
        self.full(crate::research::ResearchConsent::of(
            self.model.research_consent_at,
            self.model.research_consent_version.as_deref(),
        ))
    }
    /// When the household started waiting, moved forward by the time it spent in a match that
    /// ended early: today minus this is the time it has waited, and only that. Staff only.
    async fn waiting_since(&self) -> async_graphql::Result<Option<Timestamp>> {
        self.full(Some(Timestamp(self.model.waiting_since)))
    }
    /// The baseline taken at registration (or later with `recordBaseline`); null when none was
    /// taken. Staff and the community builder of its match.
    async fn baseline(&self) -> async_graphql::Result<Option<Baseline>> {
        let n = &self.model;
        let baseline = match (
            n.baseline_network_size,
            &n.baseline_work_status,
            n.baseline_dutch_level,
            n.baseline_wellbeing,
            n.baseline_recorded_on,
        ) {
            (Some(network_size), Some(work), Some(dutch), Some(wellbeing), Some(on)) => Some(Baseline {
                network_size,
                work_status: services::year::WorkStatus::parse(work).into(),
                dutch_level: dutch.into(),
                wellbeing,
                recorded_on: crate::scalars::Date(on),
            }),
            _ => None,
        };
        self.full(baseline)
    }
    /// When the household last confirmed that it wants a group: staff's last
    /// `confirmStillWaiting`, else its registration. Staff only.
    async fn last_confirmed_at(&self) -> async_graphql::Result<Option<Timestamp>> {
        self.full(Some(Timestamp(services::candidates::last_confirmed(&self.model))))
    }
    /// The live (PROPOSED or ACTIVE) match, if any. Staff and the match's coordinator.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn current_match(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::matching::Match>> {
        let run = async {
            let scope = crate::context::caller(ctx)?.scope_for(domain::policy::Op::ReadMatches)?;
            let m = crate::loaders::maybe(&crate::loaders::loaders(ctx)?.live_by_newcomer, &self.model.id).await?;
            Ok(m.filter(|m| services::decisions::in_scope(&scope, m)).map(crate::matching::Match))
        };
        run.await.gql()
    }
    /// Increases with every change; send it back as `expectedVersion` to avoid lost updates.
    async fn version(&self) -> i32 {
        self.model.version
    }
    /// When the household was registered. Staff only.
    async fn created_at(&self) -> async_graphql::Result<Option<Timestamp>> {
        self.full(Some(Timestamp(self.model.created_at)))
    }
    /// When the record last changed. Staff only.
    async fn updated_at(&self) -> async_graphql::Result<Option<Timestamp>> {
        self.full(Some(Timestamp(self.model.updated_at)))
    }
}

#[derive(Default)]
pub struct NewcomerQuery;

#[Object]
impl NewcomerQuery {
    /// Newcomers the caller may see, oldest registration first; filter by city and status.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn newcomers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only households of this city (FORBIDDEN for a city outside the caller's scope).")] city_slug: Option<String>,
        #[graphql(desc = "Only households with this status.")] status: Option<NewcomerStatus>,
        #[graphql(desc = "Page size, 1-100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; omitted for the first page.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Newcomer>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let args = PageArgs::parse(first, after.as_deref())?;
            let filter = NewcomerFilter { city: city_slug, status: status.map(Into::into) };
            let page = svc::list(&state.db, p, filter, &args).await?;
            let items = Newcomer::scoped_all(&state.db, page.items, p).await?;
            let page = services::page::Page { items, has_next: page.has_next, total: page.total };
            Ok(from_page(page, args.after.is_some(), |n| n.model.id.clone(), |n| n))
        };
        run.await.gql()
    }

    /// One newcomer; NOT_FOUND when it does not exist or lies outside the caller's scope.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn newcomer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the newcomer household.")] id: ID,
    ) -> async_graphql::Result<Option<Newcomer>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Ok(Some(Newcomer::scoped(&state.db, svc::get(&state.db, p, &id).await?, p).await?))
        };
        run.await.gql()
    }
}

#[derive(Default)]
pub struct NewcomerMutation;

#[Object]
impl NewcomerMutation {
    /// Registers a household (status WAITING). With `idempotencyKey`, a retry returns the
    /// newcomer the first call created.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn register_newcomer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The household to register.")] input: RegisterNewcomerInput,
    ) -> async_graphql::Result<Newcomer> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Newcomer::scoped(
                &state.db,
                svc::register(&state.db, &state.vault, state.settings.today(), p, input.into()).await?,
                p,
            )
            .await
        };
        run.await.gql()
    }

    /// Changes a newcomer's details; with `expectedVersion`, CONFLICT when it changed since.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn update_newcomer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the newcomer household.")] id: ID,
        #[graphql(desc = "The fields to change; fields left out stay as they are.")] input: UpdateNewcomerInput,
    ) -> async_graphql::Result<Newcomer> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Newcomer::scoped(
                &state.db,
                svc::update(&state.db, &state.vault, state.settings.today(), p, &id, input.into()).await?,
                p,
            )
            .await
        };
        run.await.gql()
    }

    /// WAITING -> WITHDRAWN, with the reason.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn withdraw_newcomer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the newcomer household.")] id: ID,
        #[graphql(desc = "Why the household stops (1-2000 characters; staff read it).")] reason: String,
    ) -> async_graphql::Result<Newcomer> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Newcomer::scoped(
                &state.db,
                svc::withdraw(&state.db, &state.vault, state.settings.today(), p, &id, &reason).await?,
                p,
            )
            .await
        };
        run.await.gql()
    }
}

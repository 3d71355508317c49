//! Welcome groups and members in GraphQL: thin resolvers over `services::groups`.

use crate::DB_COST;
use async_graphql::{Context, ID, Object};
use entity::{group_member, welcome_group};

use crate::cities::{self, City};
use crate::connection::{Conn, from_page};
use crate::context::{both, caller, state};
use crate::enums::GroupStatus;
use crate::error::{IntoGql, IntoGraphql};
use crate::inputs::{CreateWelcomeGroupInput, GroupMemberInput, UpdateGroupMemberInput, UpdateWelcomeGroupInput};
use crate::scalars::{Date, Timestamp};
use domain::error::{AppError, AppResult};
use services::audit;
use services::groups::{self as svc, GroupFilter};
use services::page::PageArgs;
use services::sealed;

/// A Welcome Group: five or more local volunteers, one of them the coordinator, who spend a
/// year with a newcomer household.
pub struct WelcomeGroup(pub welcome_group::Model, MembersOnce);

/// The group's members, read at most once per group and request; a page of groups fills them
/// all with one query (`WelcomeGroup::page`), so a list of groups with their members costs the
/// same number of queries whatever its length.
#[derive(Default)]
pub struct MembersOnce(tokio::sync::OnceCell<Vec<group_member::Model>>);

impl WelcomeGroup {
    pub fn new(model: welcome_group::Model) -> Self {
        Self(model, MembersOnce::default())
    }

    /// A page of groups; when the selection reads members, all of them in one query.
    async fn page(ctx: &Context<'_>, models: Vec<welcome_group::Model>) -> AppResult<Vec<Self>> {
        let node = ctx.look_ahead().field("edges").field("node");
        let wants = ["members", "coordinator", "memberCount", "allMembersHaveVog", "missingForReady"]
            .iter()
            .any(|f| node.field(f).exists());
        if !wants || models.is_empty() {
            return Ok(models.into_iter().map(Self::new).collect());
        }
        let state = state(ctx)?;
        let ids: Vec<String> = models.iter().map(|g| g.id.clone()).collect();
        let mut by_group: std::collections::HashMap<String, Vec<group_member::Model>> =
            std::collections::HashMap::new();
        for m in svc::members_of(&state.db, ids).await? {
            by_group.entry(m.group_id.clone()).or_default().push(m);
        }
        Ok(models
            .into_iter()
            .map(|g| {
                let members = by_group.remove(&g.id).unwrap_or_default();
                Self(g, MembersOnce(tokio::sync::OnceCell::new_with(Some(members))))
            })
            .collect())
    }
}

/// A Welcome Group: five or more local volunteers, one of them the coordinator, who spend a
/// year with a newcomer household.
#[Object]
impl WelcomeGroup {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The city the group belongs to.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn city(&self, ctx: &Context<'_>) -> async_graphql::Result<City> {
        cities::load(ctx, &self.0.city_slug).await.gql()
    }
    /// The group's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Neighbourhood the members live in.
    async fn neighbourhood(&self) -> Option<&str> {
        self.0.neighbourhood.as_deref()
    }
    /// Where the group stands.
    async fn status(&self) -> GroupStatus {
        self.0.status.into()
    }
    /// Why the group was withdrawn, when it was.
    async fn status_reason(&self) -> Option<&str> {
        self.0.status_reason.as_deref()
    }
    /// Largest household (persons) the group can support.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    /// ISO 639-1 codes of the languages the group speaks.
    async fn languages(&self) -> &[String] {
        &self.0.languages.0
    }
    /// Lower-case interest tags.
    async fn interests(&self) -> &[String] {
        &self.0.interests.0
    }
    /// Hours a month the group expects to spend together.
    async fn availability_hours_per_month(&self) -> Option<i32> {
        self.0.availability_hours_per_month
    }
    /// Preferences the group wants matchers to know.
    async fn preferences(&self) -> Option<&str> {
        self.0.preferences.as_deref()
    }
    /// The members, oldest membership first.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<GroupMember>> {
        self.load_members(ctx).await.gql()
    }
    /// The coordinator and contact person, once there is one.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn coordinator(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<GroupMember>> {
        Ok(self.load_members(ctx).await.gql()?.into_iter().find(|m| m.model.is_coordinator))
    }
    /// Number of members.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn member_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        Ok(self.load_members(ctx).await.gql()?.len() as i32)
    }
    /// Whether every member's certificate of conduct (VOG) has been received (false for a
    /// group without members).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn all_members_have_vog(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let ms = self.load_members(ctx).await.gql()?;
        Ok(!ms.is_empty() && ms.iter().all(|m| m.model.vog_received_on.is_some()))
    }
    /// The day of the group's intake conversation with staff (screening).
    async fn intake_held_on(&self) -> Option<Date> {
        self.0.intake_held_on.map(Date)
    }
    /// The day the group attended the preparation meeting (screening).
    async fn preparation_attended_on(&self) -> Option<Date> {
        self.0.preparation_attended_on.map(Date)
    }
    /// Which year with a household this is: 1 at first, one more after each `startNewCycle`.
    async fn cycle(&self) -> i32 {
        self.0.cycle
    }
    /// What the group still lacks to become READY under its city's rules (the minimum size,
    /// one coordinator, and where the city requires screening every member's certificate of
    /// conduct, the intake conversation and the preparation meeting); empty when nothing is.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn missing_for_ready(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ReadinessGap>> {
        let run = async {
            let ms: Vec<group_member::Model> = self.load_members(ctx).await?.into_iter().map(|m| m.model).collect();
            let city = cities::load(ctx, &self.0.city_slug).await?.0;
            let rules =
                svc::ReadyRules { min_group_size: city.min_group_size, screening_required: city.screening_required };
            Ok::<_, AppError>(svc::missing_for_ready(&rules, &self.0, &ms).into_iter().map(ReadinessGap).collect())
        };
        run.await.gql()
    }
    /// The live (PROPOSED or ACTIVE) match, if any. Staff and the group's coordinator.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn current_match(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::matching::Match>> {
        let run = async {
            let scope = crate::context::caller(ctx)?.scope_for(domain::policy::Op::ReadMatches)?;
            let m = crate::loaders::maybe(&crate::loaders::loaders(ctx)?.live_by_group, &self.0.id).await?;
            Ok(m.filter(|m| services::decisions::in_scope(&scope, m)).map(crate::matching::Match))
        };
        run.await.gql()
    }
    /// Increases with every change; send it back as `expectedVersion` to avoid lost updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the group was registered.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
    /// When the group last changed.
    async fn updated_at(&self) -> Timestamp {
        Timestamp(self.0.updated_at)
    }
}

impl WelcomeGroup {
    async fn load_members(&self, ctx: &Context<'_>) -> AppResult<Vec<GroupMember>> {
        let p = crate::context::caller(ctx)?;
        let contact = p.role != domain::enums::Role::Partner;
        let loader = &crate::loaders::loaders(ctx)?.members;
        let models = self
            .1
            .0
            .get_or_try_init(|| async {
                Ok::<_, AppError>(crate::loaders::maybe(loader, &self.0.id).await?.unwrap_or_default())
            })
            .await?;
        Ok(models.iter().cloned().map(|model| GroupMember { model, contact }).collect())
    }
}

/// A volunteer in a welcome group. Personal data: partners do not see contact details.
pub struct GroupMember {
    pub(crate) model: group_member::Model,
    pub(crate) contact: bool,
}

impl GroupMember {
    /// Notes a contact detail that was read (and not empty) for the request's audit.
    fn audit_contact(&self, ctx: &Context<'_>, field: &'static str, read: bool) -> async_graphql::Result<()> {
        let record = audit::ContactRead {
            entity_type: "group_member",
            entity_id: self.model.id.clone(),
            city: None,
            group_id: Some(self.model.group_id.clone()),
            field,
        };
        crate::context::audit_contact_read(ctx, read, record)
    }

    /// A sealed field of the member, opened with the member's key.
    async fn open(
        &self,
        ctx: &Context<'_>,
        column: sealed::Column,
        stored: Option<&str>,
    ) -> async_graphql::Result<Option<String>> {
        crate::loaders::open(ctx, &self.model.id, column, &self.model.id, stored).await.gql()
    }

    fn contact_field<'a>(&self, v: &'a str) -> async_graphql::Result<&'a str> {
        if self.contact {
            Ok(v)
        } else {
            Err(AppError::forbidden("partners do not see members' contact details").into_graphql())
        }
    }
}

/// A volunteer in a welcome group. Personal data: partners do not see contact details.
#[Object]
impl GroupMember {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.model.id.clone())
    }
    /// Full name.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn name(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let name = self.open(ctx, sealed::MEMBER_NAME, Some(&self.model.name)).await?;
        Ok(name.unwrap_or_else(|| services::privacy::ERASED.to_owned()))
    }
    /// E-mail address; FORBIDDEN for partners.
    /// Every read is audited; null once erased.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.contact_field("")?;
        let value = self.open(ctx, sealed::MEMBER_EMAIL, Some(&self.model.email)).await?.filter(|e| !e.is_empty());
        self.audit_contact(ctx, "email", value.is_some())?;
        Ok(value)
    }
    /// Phone number; FORBIDDEN for partners.
    /// Every read is audited.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn phone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.contact_field("")?;
        let value = self.open(ctx, sealed::MEMBER_PHONE, self.model.phone.as_deref()).await?;
        self.audit_contact(ctx, "phone", value.is_some())?;
        Ok(value)
    }
    /// When the member's personal data was erased; null while it is held.
    async fn erased_at(&self) -> Option<Timestamp> {
        self.model.erased_at.map(Timestamp)
    }
    /// Year of birth.
    async fn birth_year(&self) -> i32 {
        self.model.birth_year
    }
    /// ISO 639-1 codes of the languages the member speaks.
    async fn languages(&self) -> &[String] {
        &self.model.languages.0
    }
    /// Lower-case interest tags.
    async fn interests(&self) -> &[String] {
        &self.model.interests.0
    }
    /// Sector the member works or worked in.
    async fn sector(&self) -> Option<&str> {
        self.model.sector.as_deref()
    }
    /// Whether this member is the group's coordinator.
    async fn is_coordinator(&self) -> bool {
        self.model.is_coordinator
    }
    /// Date the certificate of conduct (VOG) was received.
    async fn vog_received_on(&self) -> Option<Date> {
        self.model.vog_received_on.map(Date)
    }
    /// When the member joined.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.model.created_at)
    }
    /// The member's research consent; null when none was given (the default) or it was
    /// withdrawn. Hidden from partners.
    async fn research_consent(&self) -> Option<crate::research::ResearchConsent> {
        if !self.contact {
            return None;
        }
        crate::research::ResearchConsent::of(
            self.model.research_consent_at,
            self.model.research_consent_version.as_deref(),
        )
    }
}

#[derive(Default)]
pub struct GroupQuery;

#[Object]
impl GroupQuery {
    /// Welcome groups the caller may see, oldest first; filter by city and status.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn welcome_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only groups of this city (FORBIDDEN for a city outside the caller's scope).")]
        city_slug: Option<String>,
        #[graphql(desc = "Only groups with this status.")] status: Option<GroupStatus>,
        #[graphql(desc = "Page size, 1-100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; omitted for the first page.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<WelcomeGroup>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let args = PageArgs::parse(first, after.as_deref())?;
            let filter = GroupFilter { city: city_slug, status: status.map(Into::into) };
            let page = svc::list(&state.db, p, filter, &args).await?;
            let (has_next, total) = (page.has_next, page.total);
            let groups = WelcomeGroup::page(ctx, page.items).await?;
            let page = services::page::Page { items: groups, has_next, total };
            Ok(from_page(page, args.after.is_some(), |g| g.0.id.clone(), |g| g))
        };
        run.await.gql()
    }

    /// One welcome group; NOT_FOUND when it does not exist or lies outside the caller's scope.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn welcome_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the welcome group.")] id: ID,
    ) -> async_graphql::Result<Option<WelcomeGroup>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::get(&state.db, p, &id).await.map(|g| Some(WelcomeGroup::new(g)))
        };
        run.await.gql()
    }
}

#[derive(Default)]
pub struct GroupMutation;

#[Object]
impl GroupMutation {
    /// Registers a new welcome group (status FORMING).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn create_welcome_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group to register.")] input: CreateWelcomeGroupInput,
    ) -> async_graphql::Result<WelcomeGroup> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::create(&state.db, state.settings.today(), p, input.into()).await.map(WelcomeGroup::new)
        };
        run.await.gql()
    }

    /// Changes a group's details; with `expectedVersion`, CONFLICT when it changed since.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn update_welcome_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the welcome group.")] id: ID,
        #[graphql(desc = "The fields to change; fields left out stay as they are.")] input: UpdateWelcomeGroupInput,
    ) -> async_graphql::Result<WelcomeGroup> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::update(&state.db, state.settings.today(), p, &id, input.into()).await.map(WelcomeGroup::new)
        };
        run.await.gql()
    }

    /// Adds a member; a group has exactly one coordinator.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn add_group_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the welcome group the volunteer joins.")] group_id: ID,
        #[graphql(desc = "The volunteer.")] input: GroupMemberInput,
    ) -> async_graphql::Result<GroupMember> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let model =
                svc::add_member(&state.db, &state.vault, state.settings.today(), p, &group_id, input.into()).await?;
            Ok(GroupMember { model, contact: caller(ctx)?.role != domain::enums::Role::Partner })
        };
        run.await.gql()
    }

    /// Changes a member's details (contact details, languages, certificate of conduct, ...),
    /// in any status of an open group. Staff, and the group's coordinator.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn update_group_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the group member.")] id: ID,
        #[graphql(desc = "The fields to change; fields left out stay as they are.")] input: UpdateGroupMemberInput,
    ) -> async_graphql::Result<GroupMember> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let model =
                svc::update_member(&state.db, &state.vault, state.settings.today(), p, &id, input.into()).await?;
            Ok(GroupMember { model, contact: true })
        };
        run.await.gql()
    }

    /// Makes another member the group's coordinator, in one step and in any status of an open
    /// group (a READY or MATCHED group is never without one); the previous coordinator stays a
    /// member. Staff, and the group's coordinator.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn hand_over_coordination(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the welcome group.")] group_id: ID,
        #[graphql(desc = "Id of the member who coordinates from now on.")] member_id: ID,
    ) -> async_graphql::Result<WelcomeGroup> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::hand_over_coordination(&state.db, p, &group_id, &member_id).await.map(WelcomeGroup::new)
        };
        run.await.gql()
    }

    /// Removes a member. A READY or MATCHED group keeps at least its city's minimum of members
    /// (`City.settings.minGroupSize`, default 5) and its coordinator (CONFLICT otherwise).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn remove_group_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the group member.")] id: ID,
    ) -> async_graphql::Result<bool> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::remove_member(&state.db, p, &id).await
        };
        run.await.gql()
    }

    /// FORMING -> READY. BAD_USER_INPUT listing everything still missing (`missingForReady`)
    /// unless the group has at least its city's minimum of members, exactly one coordinator
    /// and, where the city requires screening, a certificate-of-conduct date for every member,
    /// its intake conversation and its preparation meeting recorded.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn mark_group_ready(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the welcome group.")] id: ID,
    ) -> async_graphql::Result<WelcomeGroup> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::mark_ready(&state.db, p, &id).await.map(WelcomeGroup::new)
        };
        run.await.gql()
    }

    /// COMPLETED -> READY (or FORMING) for another year with a new household; `cycle` counts
    /// one more, past matches and activities stay. A new cycle needs a new intake conversation
    /// and preparation meeting where the city requires screening (the members' certificates of
    /// conduct stay valid): send their dates here, or record them later with
    /// `updateWelcomeGroup` and `markGroupReady`. ADMIN and the city's CITY_ADMIN.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn start_new_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the COMPLETED welcome group.")] group_id: ID,
        #[graphql(desc = "The day of the new cycle's intake conversation, if held already.")] intake_held_on: Option<
            Date,
        >,
        #[graphql(desc = "The day the group attended the new cycle's preparation meeting, if it did.")]
        preparation_attended_on: Option<Date>,
    ) -> async_graphql::Result<WelcomeGroup> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::start_new_cycle(
                &state.db,
                state.settings.today(),
                p,
                &group_id,
                intake_held_on.map(Into::into),
                preparation_attended_on.map(Into::into),
            )
            .await
            .map(WelcomeGroup::new)
        };
        run.await.gql()
    }

    /// FORMING or READY -> WITHDRAWN, with the reason.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn withdraw_welcome_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the welcome group.")] id: ID,
        #[graphql(desc = "Why the group stops (1-2000 characters; staff read it).")] reason: String,
    ) -> async_graphql::Result<WelcomeGroup> {
        let run = async {
            let s = state(ctx)?;
            let p = caller(ctx)?;
            svc::withdraw(&s.db, &s.vault, s.settings.today(), p, &id, &reason).await.map(WelcomeGroup::new)
        };
        run.await.gql()
    }
}

/// One thing a group still lacks before it may become READY.
pub struct ReadinessGap(svc::Gap);

/// One thing a group still lacks before it may become READY.
#[Object]
impl ReadinessGap {
    /// TOO_FEW_MEMBERS, COORDINATOR, CERTIFICATE_OF_CONDUCT, INTAKE_CONVERSATION or
    /// PREPARATION_MEETING.
    async fn code(&self) -> &str {
        self.0.code
    }
    /// What is missing, in words (members named by id only).
    async fn detail(&self) -> &str {
        &self.0.detail
    }
    /// The members concerned: for CERTIFICATE_OF_CONDUCT, those without a date.
    async fn member_ids(&self) -> Vec<ID> {
        self.0.member_ids.iter().cloned().map(ID).collect()
    }
}

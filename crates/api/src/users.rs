//! `me` and `login`.

use crate::DB_COST;
use crate::scalars::Timestamp;
use async_graphql::{Context, ID, Object};
use entity::user;

use crate::cities::{self, City};
use crate::context::{both, state, state_and_turn};
use crate::enums::Role;
use crate::error::IntoGql;
use crate::groups::WelcomeGroup;
use domain::policy::Principal;
use services::{groups, users as svc};

/// An account of the platform.
pub struct User {
    model: user::Model,
    /// Who reads it when the request itself carries no token: the user who just signed in
    /// (the answer of `login` is read as them).
    acting: Option<Principal>,
}

impl User {
    pub fn new(model: user::Model) -> Self {
        Self { model, acting: None }
    }
}

/// An account of the platform.
#[Object]
impl User {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.model.id.clone())
    }
    /// Login e-mail address.
    async fn email(&self) -> &str {
        &self.model.email
    }
    /// What the user may do.
    async fn role(&self) -> Role {
        self.model.role.into()
    }
    /// The city of a CITY_ADMIN, PARTNER or COORDINATOR.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn city(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<City>> {
        match &self.model.city_slug {
            Some(slug) => cities::load(ctx, slug).await.map(Some).gql(),
            None => Ok(None),
        }
    }
    /// The group of a COORDINATOR.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn group(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<WelcomeGroup>> {
        let run = async {
            let Some(id) = &self.model.group_id else { return Ok(None) };
            let (state, _turn) = state_and_turn(ctx).await?;
            let p = match &self.acting {
                Some(p) => p,
                None => crate::context::caller(ctx)?,
            };
            groups::get(&state.db, p, id).await.map(|g| Some(WelcomeGroup::new(g)))
        };
        run.await.gql()
    }
    /// When the account was created.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.model.created_at)
    }
    /// When the account was disabled; null while it may sign in.
    async fn disabled_at(&self) -> Option<Timestamp> {
        self.model.disabled_at.map(Timestamp)
    }
    /// When the account last signed in; null if never.
    async fn last_sign_in_at(&self) -> Option<Timestamp> {
        self.model.last_sign_in_at.map(Timestamp)
    }
    /// True while the account waits for the password of its invitation.
    async fn invitation_pending(&self) -> bool {
        services::accounts::invitation_pending(&self.model)
    }
}

/// A link to choose a password (a new account's invitation, or a reset), valid once for 72
/// hours. Shown only in this answer: the server keeps a hash of the token. Pass it on to the
/// person (e-mail it, or read it out); they open the console at `path` or send the token to
/// `acceptInvitation`.
pub struct PasswordLink(services::accounts::Link);

/// A link to choose a password (a new account's invitation, or a reset), valid once for 72
/// hours. Shown only in this answer: the server keeps a hash of the token. Pass it on to the
/// person (e-mail it, or read it out); they open the console at `path` or send the token to
/// `acceptInvitation`.
#[Object]
impl PasswordLink {
    /// The account.
    async fn user(&self) -> User {
        User::new(self.0.user.clone())
    }
    /// The one-time token.
    async fn token(&self) -> &str {
        &self.0.token
    }
    /// Where in the console the person chooses the password (append to the server's address).
    async fn path(&self) -> String {
        format!("/#/invitation/{}", self.0.token)
    }
    /// When the link stops working.
    async fn expires_at(&self) -> Timestamp {
        Timestamp(self.0.expires_at)
    }
}

/// An account to invite.
#[derive(async_graphql::InputObject)]
pub struct InviteUserInput {
    /// The person's e-mail address (their login).
    pub email: String,
    /// What they may do.
    pub role: Role,
    /// The city of a CITY_ADMIN or PARTNER (a COORDINATOR's follows from the group).
    pub city_slug: Option<String>,
    /// The group of a COORDINATOR.
    pub group_id: Option<ID>,
}

/// A signed-in session.
pub struct AuthPayload {
    token: String,
    expires_at: chrono::DateTime<chrono::Utc>,
    user: user::Model,
}

/// A signed-in session.
#[Object]
impl AuthPayload {
    /// Send as `Authorization: Bearer <token>`.
    async fn token(&self) -> &str {
        &self.token
    }
    /// When the token stops working; log in again then.
    async fn expires_at(&self) -> Timestamp {
        Timestamp(self.expires_at)
    }
    /// The account signed in; its fields answer as that user would see them (the request
    /// that signs in carries no token yet).
    async fn user(&self) -> User {
        User { model: self.user.clone(), acting: Some(svc::principal_of(&self.user)) }
    }
}

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The caller's own account.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let found = <user::Entity as sea_orm::EntityTrait>::find_by_id(p.user_id.as_str()).one(&state.db).await?;
            found.map(User::new).ok_or(domain::error::AppError::Unauthenticated)
        };
        run.await.gql()
    }

    /// The accounts the caller manages, oldest first: ADMIN every account; a CITY_ADMIN the
    /// CITY_ADMIN, COORDINATOR and PARTNER accounts of their city.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + DB_COST")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only accounts of this city.")] city_slug: Option<String>,
        #[graphql(desc = "Only accounts with this role.")] role: Option<Role>,
        #[graphql(desc = "Page size, 1-100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; omitted for the first page.")] after: Option<String>,
    ) -> async_graphql::Result<crate::connection::Conn<User>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let args = services::page::PageArgs::parse(first, after.as_deref())?;
            let filter = services::accounts::UserFilter { city: city_slug, role: role.map(Into::into) };
            let page = services::accounts::list(&state.db, p, filter, &args).await?;
            Ok(crate::connection::from_page(page, args.after.is_some(), |u| u.id.clone(), User::new))
        };
        run.await.gql()
    }
}

#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Signs in with e-mail address and password. A wrong password and an unknown address
    /// answer alike (UNAUTHENTICATED). After 5 failures for one account from one client
    /// address, or 50 from one address, within 15 minutes, or 50 for one account from all
    /// addresses within a day, logins answer RATE_LIMITED until the window ends (known and
    /// unknown accounts alike).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's e-mail address (any case).")] email: String,
        #[graphql(desc = "The user's password.")] password: String,
    ) -> async_graphql::Result<AuthPayload> {
        let run = async {
            let state = state(ctx)?;
            let address = ctx.data_opt::<crate::context::ClientAddress>().and_then(|a| a.0);
            let login = svc::login(&state.db, &state.sign_in, &state.metrics, &email, &password, address).await?;
            Ok(AuthPayload { token: login.token, expires_at: login.expires_at, user: login.user })
        };
        run.await.gql()
    }

    /// Invites a person: an account without a password, and the link to choose one (valid
    /// once, 72 hours). ADMIN any account; a CITY_ADMIN CITY_ADMIN, COORDINATOR and PARTNER
    /// accounts of their own city.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn invite_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who to invite, with which role.")] input: InviteUserInput,
    ) -> async_graphql::Result<PasswordLink> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let invite = services::accounts::Invite {
                email: input.email,
                role: input.role.into(),
                city: input.city_slug,
                group: input.group_id.map(|g| g.0),
            };
            services::accounts::invite(&state.db, p, invite).await.map(PasswordLink)
        };
        run.await.gql()
    }

    /// A new link for an account to choose a new password (valid once, 72 hours; the current
    /// password keeps working until then; an earlier unused link stops working).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn send_password_reset(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the account.")] user_id: ID,
    ) -> async_graphql::Result<PasswordLink> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            services::accounts::reset_link(&state.db, p, &user_id).await.map(PasswordLink)
        };
        run.await.gql()
    }

    /// The person behind a link chooses their password and is signed in. Needs no token. An
    /// unknown, used or expired link answers BAD_USER_INPUT on `token`.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token of the link.")] token: String,
        #[graphql(desc = "The new password, at least 12 characters.")] password: String,
    ) -> async_graphql::Result<AuthPayload> {
        let run = async {
            let state = state(ctx)?;
            let login = services::accounts::accept(&state.db, &state.sign_in, &token, &password).await?;
            Ok(AuthPayload { token: login.token, expires_at: login.expires_at, user: login.user })
        };
        run.await.gql()
    }

    /// Disables an account: it cannot sign in, and its tokens stop working at once.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn disable_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the account.")] id: ID,
    ) -> async_graphql::Result<User> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            services::accounts::set_disabled(&state.db, p, &id, true).await.map(User::new)
        };
        run.await.gql()
    }

    /// Enables a disabled account again.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn enable_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the account.")] id: ID,
    ) -> async_graphql::Result<User> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            services::accounts::set_disabled(&state.db, p, &id, false).await.map(User::new)
        };
        run.await.gql()
    }

    /// Gives an account another role, city or group (checked as for a new account); its
    /// current tokens stop working when the role changes.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn change_user_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the account.")] id: ID,
        #[graphql(desc = "The new role.")] role: Role,
        #[graphql(desc = "The city of a CITY_ADMIN or PARTNER.")] city_slug: Option<String>,
        #[graphql(desc = "The group of a COORDINATOR.")] group_id: Option<ID>,
    ) -> async_graphql::Result<User> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            services::accounts::change_role(&state.db, p, &id, role.into(), city_slug, group_id.map(|g| g.0))
                .await
                .map(User::new)
        };
        run.await.gql()
    }

    /// Creates a city (ADMIN): its rounds start with the shipped default script as version 1.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn create_city(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Short stable name used in URLs and arguments: a-z, 0-9 and '-', e.g. \"utrecht\".")]
        slug: String,
        #[graphql(desc = "Display name, e.g. \"Utrecht\".")] name: String,
    ) -> async_graphql::Result<City> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            services::accounts::create_city(&state.db, p, &slug, &name).await.map(City)
        };
        run.await.gql()
    }
}

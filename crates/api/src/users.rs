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
}

//! Users: logging in, resolving a token to a caller, and creating accounts (CLI and demo).

use chrono::{DateTime, Utc};
use entity::{Role, user};
use sea_orm::DatabaseConnection;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryResult,
    QuerySelect, Select, Set,
};

use crate::audit;
use crate::auth::SignIn;
use crate::auth::password;
use crate::metrics::Metrics;
use domain::error::{AppError, AppResult};
use domain::policy::Principal;
use domain::validate;

/// A successful login.
pub struct Login {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: user::Model,
}

pub async fn login(
    db: &DatabaseConnection,
    sign_in: &SignIn,
    metrics: &Metrics,
    email: &str,
    password_text: &str,
    address: Option<std::net::IpAddr>,
) -> AppResult<Login> {
    let email = email.trim().to_lowercase();
    // The attempt takes its slots before the password is checked (see `auth::limiter`).
    let attempt = match sign_in.limiter.begin(&email, address) {
        Ok(a) => a,
        Err(wait) => {
            metrics.login_limited();
            return Err(AppError::RateLimited(wait));
        }
    };
    let found = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(db).await?;
    let pw = password_text.to_owned();
    // Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let user = password_work(move || match found {
        Some(u) if password::verify(&u.password_hash, &pw) => Some(u),
        Some(_) => None,
        None => {
            password::verify_dummy(&pw);
            None
        }
    })
    .await?;
    // A failure keeps its slots (dropping the attempt). A disabled account answers as a wrong
    // password does: the answer tells nobody which accounts exist.
    let Some(user) = user.filter(|u| u.disabled_at.is_none()) else { return Err(AppError::BadCredentials) };
    attempt.succeeded();
    start_session(db, sign_in, user).await
}

/// Signs `user` in: a token, the time of the sign-in kept, the audit entry. After a checked
/// password (`login`) or a chosen one (`accounts::accept`).
pub async fn start_session(db: &DatabaseConnection, sign_in: &SignIn, user: user::Model) -> AppResult<Login> {
    let now = Utc::now();
    user::Entity::update_many()
        .col_expr(user::Column::LastSignInAt, Expr::value(now))
        .filter(user::Column::Id.eq(user.id.as_str()))
        .exec(db)
        .await?;
    let user = user::Model { last_sign_in_at: Some(now), ..user };
    let (token, expires_at) =
        sign_in.jwt.issue(&user.id, role_code(user.role), user.city_slug.clone(), user.group_id.clone())?;
    let principal = principal_of(&user);
    audit::record(
        db,
        Some(&principal),
        audit::Entry {
            action: "login",
            entity_type: "user",
            entity_id: &user.id,
            city: user.city_slug.as_deref(),
            details: serde_json::json!({}),
        },
    )
    .await?;
    Ok(Login { token, expires_at, user })
}

/// Resolves a bearer token to the caller. The user is re-read, so a deleted or demoted user's
/// old token no longer grants what it used to.
pub async fn principal_from_token(db: &DatabaseConnection, sign_in: &SignIn, token: &str) -> AppResult<Principal> {
    principal_and_generation(db, sign_in, token).await.map(|(p, _)| p)
}

/// The caller behind a token and the current data generation, read in one statement (the
/// generation labels answers kept by the response cache; see `api::response_cache`).
pub async fn principal_and_generation(
    db: &DatabaseConnection,
    sign_in: &SignIn,
    token: &str,
) -> AppResult<(Principal, i64)> {
    // A token of the external identity provider names its user by e-mail address; the role
    // and scope are this server's.
    if let Some(idp) = &sign_in.idp {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AppError::Unauthenticated)?;
        if idp.handles(header.alg) {
            let email = idp.verify(token)?;
            let found =
                with_generation(user::Entity::find().filter(user::Column::Email.eq(email.as_str())), db).await?;
            let (user, generation) = found.filter(|(u, _)| u.disabled_at.is_none()).ok_or(AppError::Unauthenticated)?;
            return Ok((principal_for(db, &user).await?, generation));
        }
    }
    let claims = sign_in.jwt.verify(token)?;
    let (user, generation) =
        with_generation(user::Entity::find_by_id(claims.sub), db).await?.ok_or(AppError::Unauthenticated)?;
    // A token issued before a change of role, or before the account was disabled, no longer
    // grants anything.
    if role_code(user.role) != claims.role || user.disabled_at.is_some() {
        return Err(AppError::Unauthenticated);
    }
    Ok((principal_for(db, &user).await?, generation))
}

/// A user row with the data generation beside it.
struct UserAndGeneration(user::Model, i64);

impl FromQueryResult for UserAndGeneration {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self(user::Model::from_query_result(res, pre)?, res.try_get(pre, "data_generation")?))
    }
}

async fn with_generation(
    select: Select<user::Entity>,
    db: &impl ConnectionTrait,
) -> AppResult<Option<(user::Model, i64)>> {
    let found = select
        .expr_as(Expr::cust("(SELECT n FROM data_generation WHERE id = 1)"), "data_generation")
        .into_model::<UserAndGeneration>()
        .one(db)
        .await?;
    Ok(found.map(|UserAndGeneration(u, g)| (u, g)))
}

/// The caller an account stands for, without what must be read from other tables (for the
/// audit entry of a sign-in); `principal_for` is the one a request acts as.
pub fn principal_of(user: &user::Model) -> Principal {
    Principal {
        user_id: user.id.clone(),
        role: user.role.into(),
        city: user.city_slug.clone(),
        group: user.group_id.clone(),
        supported: None,
    }
}

/// The caller an account stands for now: a COORDINATOR account follows its person, so it
/// reaches the group only while that member is its coordinator (after a handover the old
/// coordinator's account reaches nothing, the new one's the group); a COMMUNITY_BUILDER
/// reaches the matches assigned to them, read here on every request.
pub async fn principal_for(conn: &impl ConnectionTrait, user: &user::Model) -> AppResult<Principal> {
    let mut p = principal_of(user);
    match user.role {
        Role::Coordinator => {
            if let Some(member_id) = &user.member_id {
                let member = entity::group_member::Entity::find_by_id(member_id.as_str()).one(conn).await?;
                p.group = member.filter(|m| m.is_coordinator).map(|m| m.group_id);
            }
        }
        Role::CommunityBuilder => {
            let rows: Vec<(String, String, String)> = entity::matches::Entity::find()
                .select_only()
                .column(entity::matches::Column::Id)
                .column(entity::matches::Column::GroupId)
                .column(entity::matches::Column::NewcomerId)
                .filter(entity::matches::Column::CommunityBuilderId.eq(user.id.as_str()))
                .into_tuple()
                .all(conn)
                .await?;
            let mut of = domain::policy::Supported::default();
            for (m, g, n) in rows {
                of.matches.push(m);
                of.groups.push(g);
                of.newcomers.push(n);
            }
            p.supported = Some(of);
        }
        _ => {}
    }
    Ok(p)
}

/// The person a new or changed account of `role` in `group` belongs to: for a COORDINATOR, the
/// member who coordinates the group now; nobody for other roles.
pub async fn member_for(conn: &impl ConnectionTrait, role: Role, group: Option<&str>) -> AppResult<Option<String>> {
    match (role, group) {
        (Role::Coordinator, Some(g)) => coordinator_member(conn, g).await,
        _ => Ok(None),
    }
}

/// The member who coordinates `group_id` now, if any: the person a COORDINATOR account of the
/// group belongs to.
pub async fn coordinator_member(conn: &impl ConnectionTrait, group_id: &str) -> AppResult<Option<String>> {
    Ok(entity::group_member::Entity::find()
        .filter(entity::group_member::Column::GroupId.eq(group_id))
        .filter(entity::group_member::Column::IsCoordinator.eq(true))
        .one(conn)
        .await?
        .map(|m| m.id))
}

/// The role as the GraphQL enum and tokens spell it.
pub fn role_code(role: entity::Role) -> &'static str {
    domain::enums::Role::from(role).code()
}

/// Parses a role as the GraphQL enum spells it, in any case.
pub fn parse_role(text: &str) -> AppResult<Role> {
    match text.trim().to_ascii_uppercase().replace('-', "_").as_str() {
        "ADMIN" => Ok(Role::Admin),
        "CITY_ADMIN" => Ok(Role::CityAdmin),
        "COORDINATOR" => Ok(Role::Coordinator),
        "COMMUNITY_BUILDER" => Ok(Role::CommunityBuilder),
        "ANALYST" => Ok(Role::Analyst),
        "PARTNER" => Ok(Role::Partner),
        _ => Err(AppError::bad_input(
            "role",
            format!("unknown role {text:?}; use ADMIN, CITY_ADMIN, COMMUNITY_BUILDER, COORDINATOR, ANALYST or PARTNER"),
        )),
    }
}

/// What `samenhier user add` and the demo seed ask for.
pub struct NewUser {
    pub email: String,
    pub role: Role,
    pub city: Option<String>,
    pub group: Option<String>,
    pub password: String,
}

/// Creates a user after checking that the role's scope is complete and consistent: CITY_ADMIN
/// and PARTNER need a city, COORDINATOR a group (its city follows from the group), ADMIN and
/// ANALYST neither.
/// A new account whose password is hashed already.
pub struct HashedUser {
    email: String,
    role: Role,
    city: Option<String>,
    group: Option<String>,
    password_hash: String,
}

/// Argon2 runs at most this many at once (about 19 MiB and tens of milliseconds each):
/// a burst of logins must not take all memory and every blocking thread.
static PASSWORD_WORK: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Runs Argon2 work off the async workers, a bounded number at once.
pub async fn password_work<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _turn = PASSWORD_WORK.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work).await.map_err(AppError::internal)
}

/// Checks the password's rules and hashes it, touching no database: the caller may then open
/// a write transaction without holding it (and SQLite's write lock) through Argon2.
pub async fn hash(new: NewUser) -> AppResult<HashedUser> {
    let email = validate::email("email", &new.email)?;
    if new.password.chars().count() < password::MIN_PASSWORD_LEN {
        return Err(AppError::bad_input(
            "password",
            format!("the password must be at least {} characters long", password::MIN_PASSWORD_LEN),
        ));
    }
    if new.password.len() > 1024 {
        return Err(AppError::bad_input("password", "the password is longer than 1024 bytes"));
    }
    let pw = new.password;
    let password_hash = password_work(move || password::hash(&pw)).await??;
    Ok(HashedUser { email, role: new.role, city: new.city, group: new.group, password_hash })
}

impl HashedUser {
    /// An invited account: no password until the invitation is accepted (the stored marker
    /// is no password hash, so nothing signs in with it).
    pub fn invited(email: &str, role: Role, city: Option<String>, group: Option<String>) -> AppResult<Self> {
        Ok(Self { email: validate::email("email", email)?, role, city, group, password_hash: INVITED.to_owned() })
    }
}

impl HashedUser {
    /// The hash to store.
    pub fn password_hash(&self) -> &str {
        &self.password_hash
    }
}

/// What an invited account holds instead of a password hash.
pub const INVITED: &str = "!invited";

/// Creates an account (the CLI's first administrator, the demo, the tests).
pub async fn create(conn: &impl ConnectionTrait, new: NewUser) -> AppResult<user::Model> {
    insert(conn, hash(new).await?).await
}

/// Stores an account whose password `hash` has hashed (the CLI, the demo: no acting user).
pub async fn insert(conn: &impl ConnectionTrait, new: HashedUser) -> AppResult<user::Model> {
    insert_by(conn, None, new).await
}

/// The city and group an account of `role` has, checked: CITY_ADMIN and PARTNER need a city,
/// COORDINATOR a group (its city follows from the group), ADMIN and ANALYST neither.
pub async fn scope_of_role(
    conn: &impl ConnectionTrait,
    role: Role,
    city: Option<String>,
    group: Option<String>,
) -> AppResult<(Option<String>, Option<String>)> {
    Ok(match role {
        Role::Admin | Role::Analyst => {
            if city.is_some() || group.is_some() {
                return Err(AppError::bad_input(
                    "city",
                    format!("the role {} takes neither --city nor --group", role_code(role)),
                ));
            }
            (None, None)
        }
        Role::CityAdmin | Role::CommunityBuilder | Role::Partner => {
            if group.is_some() {
                return Err(AppError::bad_input(
                    "group",
                    format!("the role {} takes --city, not --group", role_code(role)),
                ));
            }
            let slug = city.ok_or_else(|| {
                AppError::bad_input("city", format!("the role {} needs --city SLUG", role_code(role)))
            })?;
            let city = entity::city::Entity::find_by_id(slug.trim().to_lowercase()).one(conn).await?;
            let city = city.ok_or_else(|| AppError::bad_input("city", format!("there is no city {slug:?}")))?;
            (Some(city.slug), None)
        }
        Role::Coordinator => {
            let id = group.ok_or_else(|| AppError::bad_input("group", "the role COORDINATOR needs --group ID"))?;
            let group = entity::welcome_group::Entity::find_by_id(id.trim()).one(conn).await?;
            let group =
                group.ok_or_else(|| AppError::bad_input("group", format!("there is no welcome group {id:?}")))?;
            if let Some(c) = &city
                && c.trim().to_lowercase() != group.city_slug
            {
                return Err(AppError::bad_input("city", format!("group {id} is in {}, not in {c}", group.city_slug)));
            }
            (Some(group.city_slug), Some(group.id))
        }
    })
}

/// Stores an account, audited as created by `actor` (none for the CLI and the demo).
pub async fn insert_by(
    conn: &impl ConnectionTrait,
    actor: Option<&Principal>,
    new: HashedUser,
) -> AppResult<user::Model> {
    let email = new.email;
    let (city, group) = scope_of_role(conn, new.role, new.city, new.group).await?;
    if user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(conn).await?.is_some() {
        return Err(AppError::conflict(format!("a user with the e-mail address {email} exists already")));
    }
    let model = user::ActiveModel {
        id: Set(crate::new_id()),
        email: Set(email),
        password_hash: Set(new.password_hash),
        role: Set(new.role),
        city_slug: Set(city.clone()),
        member_id: Set(member_for(conn, new.role, group.as_deref()).await?),
        group_id: Set(group),
        created_at: Set(Utc::now()),
        disabled_at: Set(None),
        last_sign_in_at: Set(None),
        language: Set(None),
    }
    .insert(conn)
    .await?;
    audit::record(
        conn,
        actor,
        audit::Entry {
            action: "user.create",
            entity_type: "user",
            entity_id: &model.id,
            city: city.as_deref(),
            details: serde_json::json!({ "role": role_code(model.role) }),
        },
    )
    .await?;
    Ok(model)
}

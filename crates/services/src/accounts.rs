//! Accounts and cities without a shell: staff invite people (a one-time link, valid 72 hours,
//! to choose a password), disable and enable accounts, change a role or city, and send a new
//! link to reset a password; ADMIN creates cities. The command line stays for the first
//! administrator. Everything here is audited.
//!
//! A CITY_ADMIN manages the accounts of their own city (CITY_ADMIN, COORDINATOR and PARTNER
//! accounts); ADMIN and ANALYST accounts, which belong to no city, only an ADMIN. An account
//! outside the caller's reach answers NOT_FOUND, like one that does not exist.

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use entity::{Role, invitation, user};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::auth::SignIn;
use crate::db::begin_write;
use crate::page::{self, Page, PageArgs};
use crate::users::{self, HashedUser, Login};
use crate::{audit, new_id};
use domain::error::{AppError, AppResult};
use domain::policy::{Op, Principal, Scope};
use domain::validate;

/// How long a link to choose a password is valid.
pub const INVITATION_HOURS: i64 = 72;

/// A link to choose a password, shown once to whoever asked for it (the server keeps only a
/// hash of the token): the console's page `/#/invitation/TOKEN`, or `acceptInvitation`.
pub struct Link {
    pub user: user::Model,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Who an invitation is for.
pub struct Invite {
    pub email: String,
    pub role: Role,
    pub city: Option<String>,
    pub group: Option<String>,
}

/// The API's name of a field the account rules (shared with the command line) call `city` or
/// `group`.
fn api_field(e: AppError) -> AppError {
    match e {
        AppError::BadInput { field, message } => {
            let field = match field.as_str() {
                "city" => "citySlug".to_owned(),
                "group" => "groupId".to_owned(),
                _ => field,
            };
            AppError::BadInput { field, message: message.replace("--city", "citySlug").replace("--group", "groupId") }
        }
        other => other,
    }
}

fn sha256_hex(text: &str) -> String {
    scripting::sha256_hex(text)
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `p` (scope `scope`) may manage an account of `role` in `city`.
fn may_manage(scope: &Scope, role: Role, city: Option<&str>) -> bool {
    match scope {
        Scope::All => true,
        _ => !matches!(role, Role::Admin | Role::Analyst) && city.is_some_and(|c| scope.covers_city(c)),
    }
}

/// The account `id` if `p` may manage it; NOT_FOUND otherwise.
async fn managed(conn: &impl sea_orm::ConnectionTrait, p: &Principal, id: &str) -> AppResult<user::Model> {
    let scope = p.scope_for(Op::ManageUsers)?;
    let found = user::Entity::find_by_id(id.trim()).one(conn).await?;
    found.filter(|u| may_manage(&scope, u.role, u.city_slug.as_deref())).ok_or(AppError::NotFound("user"))
}

async fn issue_link(
    conn: &impl sea_orm::ConnectionTrait,
    p: &Principal,
    user: user::Model,
    purpose: &str,
) -> AppResult<Link> {
    let now = Utc::now();
    // One link at a time: a new one revokes those not yet used.
    invitation::Entity::update_many()
        .col_expr(invitation::Column::UsedAt, Expr::value(now))
        .filter(invitation::Column::UserId.eq(user.id.as_str()))
        .filter(invitation::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    let token = new_token();
    let expires_at = now + Duration::hours(INVITATION_HOURS);
    invitation::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user.id.clone()),
        token_hash: Set(sha256_hex(&token)),
        purpose: Set(purpose.to_owned()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_by: Set(Some(p.user_id.clone())),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(Link { user, token, expires_at })
}

/// `inviteUser`: a new account without a password, and its link.
pub async fn invite(db: &DatabaseConnection, p: &Principal, invite: Invite) -> AppResult<Link> {
    let scope = p.scope_for(Op::ManageUsers)?;
    let txn = begin_write(db).await?;
    // The account's city: given, or (for a coordinator) its group's; `users::insert` checks
    // that the role's scope is complete and consistent.
    let city = match (&invite.city, &invite.group) {
        (Some(c), _) => Some(c.trim().to_lowercase()),
        (None, Some(g)) => entity::welcome_group::Entity::find_by_id(g.trim()).one(&txn).await?.map(|g| g.city_slug),
        (None, None) => None,
    };
    if !may_manage(&scope, invite.role, city.as_deref()) {
        return Err(AppError::forbidden(match scope {
            Scope::All => "you may not invite this account",
            _ => "you may invite accounts of your own city only, and no ADMIN or ANALYST accounts",
        }));
    }
    let hashed = HashedUser::invited(&invite.email, invite.role, invite.city, invite.group)?;
    let created = users::insert_by(&txn, Some(p), hashed).await.map_err(api_field)?;
    let link = issue_link(&txn, p, created, "invite").await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "user.invite",
            entity_type: "user",
            entity_id: &link.user.id,
            city: link.user.city_slug.as_deref(),
            details: json!({ "role": users::role_code(link.user.role), "expiresAt": link.expires_at.to_rfc3339() }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(link)
}

/// `sendPasswordReset`: a new link to choose a password (the current one keeps working until
/// a new one is chosen).
pub async fn reset_link(db: &DatabaseConnection, p: &Principal, id: &str) -> AppResult<Link> {
    let txn = begin_write(db).await?;
    let u = managed(&txn, p, id).await?;
    if u.disabled_at.is_some() {
        return Err(AppError::conflict("the account is disabled; enable it first"));
    }
    let link = issue_link(&txn, p, u, "reset").await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "user.reset",
            entity_type: "user",
            entity_id: &link.user.id,
            city: link.user.city_slug.as_deref(),
            details: json!({ "expiresAt": link.expires_at.to_rfc3339() }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(link)
}

/// `acceptInvitation`: the person behind a link chooses their password and is signed in. A
/// link works once, for 72 hours; an unknown, used or expired link answers BAD_USER_INPUT on
/// `token` (the same answer for all three, so links cannot be probed).
pub async fn accept(db: &DatabaseConnection, sign_in: &SignIn, token: &str, password: &str) -> AppResult<Login> {
    let refused = || AppError::bad_input("token", "this link is unknown, used or expired; ask for a new one");
    let found = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(sha256_hex(token.trim())))
        .one(db)
        .await?
        .filter(|i| i.used_at.is_none() && i.expires_at > Utc::now())
        .ok_or_else(refused)?;
    let u = user::Entity::find_by_id(found.user_id.as_str()).one(db).await?.ok_or_else(refused)?;
    if u.disabled_at.is_some() {
        return Err(refused());
    }
    // Hashed before the write transaction opens (it holds SQLite's write lock).
    let hashed = users::hash(users::NewUser {
        email: u.email.clone(),
        role: u.role,
        city: u.city_slug.clone(),
        group: u.group_id.clone(),
        password: password.to_owned(),
    })
    .await?;
    let txn = begin_write(db).await?;
    // Used once: the claim is the statement that marks it, so two at once cannot both pass.
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::UsedAt, Expr::value(Utc::now()))
        .filter(invitation::Column::Id.eq(found.id.as_str()))
        .filter(invitation::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(refused());
    }
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hashed.password_hash()))
        .filter(user::Column::Id.eq(u.id.as_str()))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(&users::principal_of(&u)),
        audit::Entry {
            action: "user.password_chosen",
            entity_type: "user",
            entity_id: &u.id,
            city: u.city_slug.as_deref(),
            details: json!({ "purpose": found.purpose }),
        },
    )
    .await?;
    txn.commit().await?;
    // Signed in with the password just hashed: no second Argon2 verification.
    let u = user::Model { password_hash: hashed.password_hash().to_owned(), ..u };
    users::start_session(db, sign_in, u).await
}

/// `disableUser` / `enableUser`: a disabled account cannot sign in, and its tokens stop
/// working at once (every request reads the account).
pub async fn set_disabled(db: &DatabaseConnection, p: &Principal, id: &str, disabled: bool) -> AppResult<user::Model> {
    let txn = begin_write(db).await?;
    let u = managed(&txn, p, id).await?;
    if disabled && u.id == p.user_id {
        return Err(AppError::bad_input("id", "you cannot disable your own account"));
    }
    let mut am: user::ActiveModel = u.clone().into();
    am.disabled_at = Set(disabled.then(Utc::now));
    let updated = am.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: if disabled { "user.disable" } else { "user.enable" },
            entity_type: "user",
            entity_id: &u.id,
            city: u.city_slug.as_deref(),
            details: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// `changeUserRole`: another role, city or group, checked like a new account's.
pub async fn change_role(
    db: &DatabaseConnection,
    p: &Principal,
    id: &str,
    role: Role,
    city: Option<String>,
    group: Option<String>,
) -> AppResult<user::Model> {
    let scope = p.scope_for(Op::ManageUsers)?;
    let txn = begin_write(db).await?;
    let u = managed(&txn, p, id).await?;
    if u.id == p.user_id {
        return Err(AppError::bad_input("id", "you cannot change your own role"));
    }
    let (city, group) = users::scope_of_role(&txn, role, city, group).await.map_err(api_field)?;
    if !may_manage(&scope, role, city.as_deref()) {
        return Err(AppError::forbidden("you may give roles of your own city only, and no ADMIN or ANALYST role"));
    }
    let mut am: user::ActiveModel = u.clone().into();
    am.member_id = Set(users::member_for(&txn, role, group.as_deref()).await?);
    am.role = Set(role);
    am.city_slug = Set(city);
    am.group_id = Set(group);
    let updated = am.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "user.role",
            entity_type: "user",
            entity_id: &u.id,
            city: updated.city_slug.as_deref().or(u.city_slug.as_deref()),
            details: json!({ "from": users::role_code(u.role), "to": users::role_code(updated.role) }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Filters of `users`.
#[derive(Default)]
pub struct UserFilter {
    pub city: Option<String>,
    pub role: Option<Role>,
}

/// `users`: the accounts the caller manages, oldest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    filter: UserFilter,
    args: &PageArgs,
) -> AppResult<Page<user::Model>> {
    let scope = p.scope_for(Op::ManageUsers)?;
    let mut q = page::in_city(user::Entity::find(), &scope, filter.city.as_deref(), user::Column::CitySlug)?;
    if scope.city().is_some() {
        q = q.filter(user::Column::Role.is_not_in([Role::Admin, Role::Analyst]));
    }
    if let Some(r) = filter.role {
        q = q.filter(user::Column::Role.eq(r));
    }
    page::fetch(db, q, user::Column::Id, args).await
}

/// Whether the account still waits for its first password.
pub fn invitation_pending(u: &user::Model) -> bool {
    u.password_hash == users::INVITED
}

/// `createCity`: ADMIN; the city starts with the shipped default script as version 1.
pub async fn create_city(
    db: &DatabaseConnection,
    p: &Principal,
    slug: &str,
    name: &str,
) -> AppResult<entity::city::Model> {
    p.scope_for(Op::CreateCity)?;
    let slug = slug.trim().to_lowercase();
    let well_formed = (2..=64).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !well_formed {
        return Err(AppError::bad_input(
            "slug",
            "a slug is 2-64 characters of a-z, 0-9 and '-', not starting or ending with '-' (e.g. \"den-haag\")",
        ));
    }
    let name = validate::required_text("name", name, 120)?;
    let txn = begin_write(db).await?;
    if entity::city::Entity::find_by_id(slug.as_str()).one(&txn).await?.is_some() {
        return Err(AppError::bad_input("slug", format!("there is a city {slug:?} already")));
    }
    let city = entity::city::ActiveModel {
        slug: Set(slug.clone()),
        name: Set(name),
        decline_pause_days: Set(crate::decisions::DEFAULT_DECLINE_PAUSE_DAYS),
        min_group_size: Set(crate::groups::DEFAULT_MIN_GROUP_SIZE),
        screening_required: Set(true),
        reconfirm_after_days: Set(crate::decisions::DEFAULT_RECONFIRM_AFTER_DAYS),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "city.create",
            entity_type: "city",
            entity_id: &slug,
            city: Some(&slug),
            details: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    // Version 1 of its script: the shipped default (a city with no file of its own).
    crate::scripts::ensure_shipped(db).await?;
    Ok(city)
}

//! Welcome groups and their members.
//!
//! Rules: a group is created FORMING; it becomes READY only with at least the city's minimum
//! of members (`cities.min_group_size`, default 5), exactly one coordinator and — where the city
//! requires screening (`cities.screening_required`, default on) — a certificate-of-conduct
//! date for every member, its intake conversation held and its preparation meeting attended;
//! a READY or MATCHED group never drops below the minimum or loses its coordinator; a withdrawn
//! group no longer changes, and a completed one only starts a new cycle (`start_new_cycle`).

use chrono::{NaiveDate, Utc};
use entity::{GroupStatus, StringList, group_member, welcome_group};
use sea_orm::DatabaseConnection;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};
use serde_json::json;

use crate::db::begin_write;
use crate::page::{self, Page, PageArgs};
use crate::sealed::{self, Vault};
use crate::{audit, new_id};
use domain::error::{AppError, AppResult};
use domain::policy::Op;
use domain::policy::{Principal, Scope};
use domain::validate;

/// The fewest members a READY group has where a city set no other minimum.
pub const DEFAULT_MIN_GROUP_SIZE: i32 = 5;
/// The most members one group may have.
pub const MAX_MEMBERS: u64 = 30;

// Input objects live here, beside the rules that check them, so the GraphQL layer and the
// services share one definition of each input instead of two that could drift apart.

/// A new welcome group.
#[derive(Clone, Debug)]
pub struct CreateWelcomeGroupInput {
    /// Slug of the city the group belongs to, e.g. "almere".
    pub city_slug: String,
    /// The group's name as its members know it (1-200 characters).
    pub name: String,
    /// Neighbourhood the members live in (at most 200 characters).
    pub neighbourhood: Option<String>,
    /// Largest household (persons) the group can support, 1-20.
    pub capacity: i32,
    /// ISO 639-1 codes of the languages the group speaks as a whole: "nl", "en", "ar", ...
    pub languages: Vec<String>,
    /// Lower-case interest tags: "cooking", "football", ...
    pub interests: Vec<String>,
    /// Hours a month the group expects to spend together, 0-200.
    pub availability_hours_per_month: Option<i32>,
    /// Preferences the group wants matchers to know (at most 2000 characters).
    pub preferences: Option<String>,
    /// The day of the group's intake conversation with staff (screening), if held.
    pub intake_held_on: Option<NaiveDate>,
    /// The day the group attended the preparation meeting (screening), if it did.
    pub preparation_attended_on: Option<NaiveDate>,
}

/// Changes to a welcome group; fields left out stay as they are.
#[derive(Clone, Debug, Default)]
pub struct UpdateWelcomeGroupInput {
    /// New name (1-200 characters).
    pub name: Option<String>,
    /// New neighbourhood; an empty string clears it.
    pub neighbourhood: Option<String>,
    /// New capacity, 1-20.
    pub capacity: Option<i32>,
    /// New languages (ISO 639-1), replacing the old list.
    pub languages: Option<Vec<String>>,
    /// New interests, replacing the old list.
    pub interests: Option<Vec<String>>,
    /// New availability in hours a month, 0-200.
    pub availability_hours_per_month: Option<i32>,
    /// New preferences; an empty string clears them.
    pub preferences: Option<String>,
    /// The day of the intake conversation (not in the future).
    pub intake_held_on: Option<NaiveDate>,
    /// The day the group attended the preparation meeting (not in the future).
    pub preparation_attended_on: Option<NaiveDate>,
    /// The `version` you read; when the group changed since, the update answers CONFLICT.
    pub expected_version: Option<i32>,
}

/// A volunteer joining a group.
#[derive(Clone, Debug)]
pub struct GroupMemberInput {
    /// Full name (1-200 characters).
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Phone number, 6-15 digits, optionally with a leading +.
    pub phone: Option<String>,
    /// Year of birth; volunteers are at least 18.
    pub birth_year: i32,
    /// ISO 639-1 codes of the languages the member speaks.
    pub languages: Vec<String>,
    /// Lower-case interest tags.
    pub interests: Vec<String>,
    /// Sector the member works or worked in, e.g. "healthcare", "it", "education".
    pub sector: Option<String>,
    /// Whether this member is the group's coordinator and contact person (one per group).
    pub is_coordinator: bool,
    /// Date the certificate of conduct (VOG) was received, if it was.
    pub vog_received_on: Option<NaiveDate>,
}

/// The details of a member that change; a field left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct UpdateGroupMemberInput {
    pub name: Option<String>,
    pub email: Option<String>,
    /// An empty string removes the number.
    pub phone: Option<String>,
    pub birth_year: Option<i32>,
    pub languages: Option<Vec<String>>,
    pub interests: Option<Vec<String>>,
    /// An empty string removes the sector.
    pub sector: Option<String>,
    pub vog_received_on: Option<NaiveDate>,
    /// The group's `version` you read; when the group or its members changed since, CONFLICT.
    pub expected_version: Option<i32>,
}

/// Filters for listing groups.
#[derive(Default)]
pub struct GroupFilter {
    pub city: Option<String>,
    pub status: Option<GroupStatus>,
}

fn scope_condition(scope: &Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::City(c) => Condition::all().add(welcome_group::Column::CitySlug.eq(c.as_str())),
        Scope::Group { group_id, .. } => Condition::all().add(welcome_group::Column::Id.eq(group_id.as_str())),
        Scope::Supported { city, of } => Condition::all()
            .add(welcome_group::Column::CitySlug.eq(city.as_str()))
            .add(welcome_group::Column::Id.is_in(of.groups.iter().map(String::as_str))),
    }
}

pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    filter: GroupFilter,
    args: &PageArgs,
) -> AppResult<Page<welcome_group::Model>> {
    let scope = p.scope_for(Op::ReadGroups)?;
    let mut q = welcome_group::Entity::find().filter(scope_condition(&scope));
    if let Some(c) = filter.city {
        q = q.filter(welcome_group::Column::CitySlug.eq(scope.city_filter(&c)?));
    }
    if let Some(s) = filter.status {
        q = q.filter(welcome_group::Column::Status.eq(s));
    }
    page::fetch(db, q, welcome_group::Column::Id, args).await
}

/// The group `id` if it exists within the caller's scope for `op`; NOT_FOUND otherwise.
pub async fn find_scoped(
    conn: &impl ConnectionTrait,
    p: &Principal,
    op: Op,
    id: &str,
) -> AppResult<welcome_group::Model> {
    let scope = p.scope_for(op)?;
    let group = welcome_group::Entity::find_by_id(id.trim()).one(conn).await?;
    match group {
        Some(g) if scope.covers_group(&g.id, &g.city_slug) && p.may_change(op, g.created_by.as_deref()) => Ok(g),
        _ => Err(AppError::NotFound("welcome group")),
    }
}

/// `find_scoped`, with the group's row locked for a change of the group or its members (see
/// `locks`): two removals at once then count the members one after the other.
pub async fn find_scoped_locked(
    conn: &impl ConnectionTrait,
    p: &Principal,
    op: Op,
    id: &str,
) -> AppResult<welcome_group::Model> {
    let found = find_scoped(conn, p, op, id).await?;
    crate::locks::group(conn, &found.id).await
}

pub async fn get(db: &DatabaseConnection, p: &Principal, id: &str) -> AppResult<welcome_group::Model> {
    find_scoped(db, p, Op::ReadGroups, id).await
}

pub async fn members(conn: &impl ConnectionTrait, group_id: &str) -> AppResult<Vec<group_member::Model>> {
    Ok(group_member::Entity::find()
        .filter(group_member::Column::GroupId.eq(group_id))
        .order_by_asc(group_member::Column::Id)
        .all(conn)
        .await?)
}

/// The members of several groups in one query, in id order.
pub async fn members_of(conn: &impl ConnectionTrait, group_ids: Vec<String>) -> AppResult<Vec<group_member::Model>> {
    Ok(group_member::Entity::find()
        .filter(group_member::Column::GroupId.is_in(group_ids))
        .order_by_asc(group_member::Column::Id)
        .all(conn)
        .await?)
}

fn ensure_open(g: &welcome_group::Model) -> AppResult<()> {
    match g.status {
        GroupStatus::Withdrawn | GroupStatus::Completed => {
            Err(AppError::conflict(format!("the group is {} and can no longer change", status_code(g.status))))
        }
        _ => Ok(()),
    }
}

/// The status as the API spells it.
pub fn status_code(s: GroupStatus) -> &'static str {
    domain::enums::GroupStatus::from(s).code()
}

pub async fn create(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    input: CreateWelcomeGroupInput,
) -> AppResult<welcome_group::Model> {
    let scope = p.scope_for(Op::CreateGroup)?;
    let city_slug = input.city_slug.trim().to_lowercase();
    let name = validate::required_text("name", &input.name, validate::MAX_NAME)?;
    let neighbourhood = validate::optional_text("neighbourhood", input.neighbourhood.as_deref(), validate::MAX_NAME)?;
    let capacity = validate::int_range("capacity", input.capacity, 1, 20)?;
    let languages = validate::languages("languages", &input.languages)?;
    let interests = validate::tags("interests", &input.interests)?;
    let availability = input
        .availability_hours_per_month
        .map(|h| validate::int_range("availabilityHoursPerMonth", h, 0, 200))
        .transpose()?;
    let preferences = validate::optional_text("preferences", input.preferences.as_deref(), validate::MAX_TEXT)?;
    let intake = input.intake_held_on.map(|d| validate::past_date("intakeHeldOn", d, today)).transpose()?;
    let preparation =
        input.preparation_attended_on.map(|d| validate::past_date("preparationAttendedOn", d, today)).transpose()?;

    let txn = begin_write(db).await?;
    if entity::city::Entity::find_by_id(city_slug.as_str()).one(&txn).await?.is_none() {
        return Err(AppError::bad_input("citySlug", format!("there is no city {:?}", input.city_slug)));
    }
    if !scope.covers_city(&city_slug) {
        return Err(AppError::forbidden("you may create groups only in your own city"));
    }
    let now = Utc::now();
    let model = welcome_group::ActiveModel {
        id: Set(new_id()),
        created_by: Set(Some(p.user_id.clone())),
        city_slug: Set(city_slug),
        name: Set(name),
        neighbourhood: Set(neighbourhood),
        status: Set(GroupStatus::Forming),
        capacity: Set(capacity),
        languages: Set(StringList(languages)),
        interests: Set(StringList(interests)),
        availability_hours_per_month: Set(availability),
        preferences: Set(preferences),
        status_reason: Set(None),
        intake_held_on: Set(intake),
        preparation_attended_on: Set(preparation),
        cycle: Set(1),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "group.create",
            entity_type: "welcome_group",
            entity_id: &model.id,
            city: Some(&model.city_slug),
            details: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

pub async fn update(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    id: &str,
    input: UpdateWelcomeGroupInput,
) -> AppResult<welcome_group::Model> {
    // Validate everything before touching the database.
    let name = input.name.as_deref().map(|n| validate::required_text("name", n, validate::MAX_NAME)).transpose()?;
    let neighbourhood = input
        .neighbourhood
        .as_deref()
        .map(|n| validate::optional_text("neighbourhood", Some(n), validate::MAX_NAME))
        .transpose()?;
    let capacity = input.capacity.map(|c| validate::int_range("capacity", c, 1, 20)).transpose()?;
    let languages = input.languages.as_deref().map(|l| validate::languages("languages", l)).transpose()?;
    let interests = input.interests.as_deref().map(|i| validate::tags("interests", i)).transpose()?;
    let availability = input
        .availability_hours_per_month
        .map(|h| validate::int_range("availabilityHoursPerMonth", h, 0, 200))
        .transpose()?;
    let preferences = input
        .preferences
        .as_deref()
        .map(|t| validate::optional_text("preferences", Some(t), validate::MAX_TEXT))
        .transpose()?;
    let intake = input.intake_held_on.map(|d| validate::past_date("intakeHeldOn", d, today)).transpose()?;
    let preparation =
        input.preparation_attended_on.map(|d| validate::past_date("preparationAttendedOn", d, today)).transpose()?;

    let txn = begin_write(db).await?;
    let group = find_scoped_locked(&txn, p, Op::UpdateGroup, id).await?;
    ensure_open(&group)?;
    check_version(input.expected_version, group.version)?;
    let mut changed: Vec<&str> = Vec::new();
    let mut am: welcome_group::ActiveModel = group.clone().into();
    if let Some(v) = name {
        am.name = Set(v);
        changed.push("name");
    }
    if let Some(v) = neighbourhood {
        am.neighbourhood = Set(v);
        changed.push("neighbourhood");
    }
    if let Some(v) = capacity {
        am.capacity = Set(v);
        changed.push("capacity");
    }
    if let Some(v) = languages {
        am.languages = Set(StringList(v));
        changed.push("languages");
    }
    if let Some(v) = interests {
        am.interests = Set(StringList(v));
        changed.push("interests");
    }
    if let Some(v) = availability {
        am.availability_hours_per_month = Set(Some(v));
        changed.push("availabilityHoursPerMonth");
    }
    if let Some(v) = preferences {
        am.preferences = Set(v);
        changed.push("preferences");
    }
    if let Some(v) = intake {
        am.intake_held_on = Set(Some(v));
        changed.push("intakeHeldOn");
    }
    if let Some(v) = preparation {
        am.preparation_attended_on = Set(Some(v));
        changed.push("preparationAttendedOn");
    }
    let updated = save_versioned(&txn, am, &group.id, group.version).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "group.update",
            entity_type: "welcome_group",
            entity_id: &group.id,
            city: Some(&group.city_slug),
            details: json!({ "fields": changed }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// CONFLICT when the caller's `expectedVersion` is stale.
pub fn check_version(expected: Option<i32>, current: i32) -> AppResult<()> {
    match expected {
        Some(v) if v != current => Err(AppError::conflict(format!(
            "the record changed since you read it (you sent expectedVersion {v}, it is now at version {current}); read it again and retry"
        ))),
        _ => Ok(()),
    }
}

/// Saves a group whose version was `version`, bumping it; CONFLICT if someone else did first.
async fn save_versioned(
    conn: &impl ConnectionTrait,
    mut am: welcome_group::ActiveModel,
    id: &str,
    version: i32,
) -> AppResult<welcome_group::Model> {
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let res = welcome_group::Entity::update_many()
        .set(am)
        .filter(welcome_group::Column::Id.eq(id))
        .filter(welcome_group::Column::Version.eq(version))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::conflict("the group changed at the same time; read it again and retry"));
    }
    welcome_group::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound("welcome group"))
}

pub async fn add_member(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    group_id: &str,
    input: GroupMemberInput,
) -> AppResult<group_member::Model> {
    let name = validate::required_text("name", &input.name, validate::MAX_NAME)?;
    let email = validate::email("email", &input.email)?;
    let phone = validate::phone("phone", input.phone.as_deref())?;
    let birth_year = validate::birth_year("birthYear", input.birth_year, today, 18)?;
    let languages = validate::languages("languages", &input.languages)?;
    let interests = validate::tags("interests", &input.interests)?;
    let sector = input
        .sector
        .as_deref()
        .map(|s| validate::tags("sector", &[s.to_owned()]))
        .transpose()?
        .and_then(|mut v| v.pop());
    let vog: Option<NaiveDate> =
        input.vog_received_on.map(|d| validate::past_date("vogReceivedOn", d, today)).transpose()?;

    let txn = begin_write(db).await?;
    let group = find_scoped_locked(&txn, p, Op::AddMember, group_id).await?;
    ensure_open(&group)?;
    let existing = members(&txn, &group.id).await?;
    if existing.len() as u64 >= MAX_MEMBERS {
        return Err(AppError::conflict(format!("a group has at most {MAX_MEMBERS} members")));
    }
    // Rules on what every caller may see (the member count, who coordinates) come first: the
    // e-mail check reads addresses a PARTNER may not, so its answer must not depend on
    // whether an earlier rule would have refused anyway.
    if input.is_coordinator && existing.iter().any(|m| m.is_coordinator) {
        return Err(AppError::bad_input(
            "isCoordinator",
            "the group has a coordinator already; a group has exactly one",
        ));
    }
    // The addresses are sealed: their keyed hashes compare (and the database holds them
    // unique in the group, for a concurrent add).
    let email_index = sealed::member_email_index(vault, &email);
    if existing.iter().any(|m| m.email_index == email_index) {
        return Err(AppError::bad_input("email", "a member with this e-mail address is in the group already"));
    }
    let id = new_id();
    let key = vault.create_key(&txn, &id).await?;
    let member = group_member::ActiveModel {
        group_id: Set(group.id.clone()),
        name: Set(key.seal(sealed::MEMBER_NAME, &id, &name)?),
        email: Set(key.seal(sealed::MEMBER_EMAIL, &id, &email)?),
        email_index: Set(email_index),
        phone: Set(key.seal_opt(sealed::MEMBER_PHONE, &id, phone.as_deref())?),
        id: Set(id),
        birth_year: Set(birth_year),
        languages: Set(StringList(languages)),
        interests: Set(StringList(interests)),
        sector: Set(sector),
        is_coordinator: Set(input.is_coordinator),
        // Research consent is asked for apart (`setResearchConsent`): none until given.
        research_consent_at: Set(None),
        research_consent_version: Set(None),
        vog_received_on: Set(vog),
        created_at: Set(Utc::now()),
        erased_at: Set(None),
    }
    .insert(&txn)
    .await?;
    bump(&txn, &group).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "group.member.add",
            entity_type: "group_member",
            entity_id: &member.id,
            city: Some(&group.city_slug),
            details: json!({ "groupId": group.id, "isCoordinator": member.is_coordinator }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(member)
}

/// `updateGroupMember`: a member's details, in any status of an open group (a certificate
/// of conduct received after the group was matched, a new phone number).
pub async fn update_member(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    member_id: &str,
    input: UpdateGroupMemberInput,
) -> AppResult<group_member::Model> {
    // The role decides first: a role that may not change members learns nothing about ids.
    p.scope_for(Op::UpdateMember)?;
    let mut am: group_member::ActiveModel = Default::default();
    let mut changed: Vec<&str> = Vec::new();
    if let Some(v) = &input.name {
        am.name = Set(validate::required_text("name", v, validate::MAX_NAME)?);
        changed.push("name");
    }
    let email = input.email.as_deref().map(|e| validate::email("email", e)).transpose()?;
    if let Some(v) = &input.phone {
        am.phone = Set(validate::phone("phone", Some(v))?);
        changed.push("phone");
    }
    if let Some(v) = input.birth_year {
        am.birth_year = Set(validate::birth_year("birthYear", v, today, 18)?);
        changed.push("birthYear");
    }
    if let Some(v) = &input.languages {
        am.languages = Set(StringList(validate::languages("languages", v)?));
        changed.push("languages");
    }
    if let Some(v) = &input.interests {
        am.interests = Set(StringList(validate::tags("interests", v)?));
        changed.push("interests");
    }
    if let Some(v) = &input.sector {
        let sector = if v.trim().is_empty() { None } else { validate::tags("sector", std::slice::from_ref(v))?.pop() };
        am.sector = Set(sector);
        changed.push("sector");
    }
    if let Some(d) = input.vog_received_on {
        am.vog_received_on = Set(Some(validate::past_date("vogReceivedOn", d, today)?));
        changed.push("vogReceivedOn");
    }
    if changed.is_empty() && email.is_none() {
        return Err(AppError::bad_input("input", "name at least one field to change"));
    }

    let txn = begin_write(db).await?;
    let member = group_member::Entity::find_by_id(member_id.trim())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("group member"))?;
    let group = find_scoped_locked(&txn, p, Op::UpdateMember, &member.group_id)
        .await
        .map_err(|e| if matches!(e, AppError::NotFound(_)) { AppError::NotFound("group member") } else { e })?;
    ensure_open(&group)?;
    if member.erased_at.is_some() {
        return Err(AppError::conflict("this member's personal data was erased; add the person again instead"));
    }
    check_version(input.expected_version, group.version)?;
    if let Some(e) = &email {
        let index = sealed::member_email_index(vault, e);
        let others = members(&txn, &group.id).await?;
        if others.iter().any(|m| m.id != member.id && m.email_index == index) {
            return Err(AppError::bad_input("email", "a member with this e-mail address is in the group already"));
        }
        am.email = Set(e.clone());
        am.email_index = Set(index);
        changed.push("email");
    }
    let key = vault.key_for(&txn, &member.id).await?;
    sealed::seal_set(&key, sealed::MEMBER_NAME, &member.id, &mut am.name)?;
    sealed::seal_set(&key, sealed::MEMBER_EMAIL, &member.id, &mut am.email)?;
    sealed::seal_set_opt(&key, sealed::MEMBER_PHONE, &member.id, &mut am.phone)?;
    group_member::Entity::update_many()
        .set(am)
        .filter(group_member::Column::Id.eq(member.id.as_str()))
        .exec(&txn)
        .await?;
    bump(&txn, &group).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "group.member.update",
            entity_type: "group_member",
            entity_id: &member.id,
            city: Some(&group.city_slug),
            details: json!({ "groupId": group.id, "fields": changed }),
        },
    )
    .await?;
    let updated = group_member::Entity::find_by_id(member.id.as_str())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("group member"))?;
    txn.commit().await?;
    Ok(updated)
}

/// `handOverCoordination`: member `member_id` becomes the group's coordinator in one step, in
/// any status of an open group (a READY or MATCHED group is never without one); the previous
/// coordinator stays a member.
pub async fn hand_over_coordination(
    db: &DatabaseConnection,
    p: &Principal,
    group_id: &str,
    member_id: &str,
) -> AppResult<welcome_group::Model> {
    p.scope_for(Op::UpdateMember)?;
    let txn = begin_write(db).await?;
    let group = find_scoped_locked(&txn, p, Op::UpdateMember, group_id).await?;
    ensure_open(&group)?;
    let all = members(&txn, &group.id).await?;
    let Some(next) = all.iter().find(|m| m.id == member_id.trim()) else {
        return Err(AppError::bad_input("memberId", "this person is not a member of the group"));
    };
    if next.erased_at.is_some() {
        return Err(AppError::bad_input("memberId", "this member's personal data was erased"));
    }
    let previous = all.iter().find(|m| m.is_coordinator).map(|m| m.id.clone());
    if previous.as_deref() == Some(next.id.as_str()) {
        return Ok(group);
    }
    // The old coordinator first: the database holds one coordinator a group at every moment.
    group_member::Entity::update_many()
        .col_expr(group_member::Column::IsCoordinator, Expr::value(false))
        .filter(group_member::Column::GroupId.eq(group.id.as_str()))
        .filter(group_member::Column::IsCoordinator.eq(true))
        .exec(&txn)
        .await?;
    group_member::Entity::update_many()
        .col_expr(group_member::Column::IsCoordinator, Expr::value(true))
        .filter(group_member::Column::Id.eq(next.id.as_str()))
        .exec(&txn)
        .await?;
    bump(&txn, &group).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "group.coordinator.hand_over",
            entity_type: "welcome_group",
            entity_id: &group.id,
            city: Some(&group.city_slug),
            details: json!({ "from": previous, "to": next.id }),
        },
    )
    .await?;
    let updated = welcome_group::Entity::find_by_id(group.id.as_str())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("welcome group"))?;
    txn.commit().await?;
    Ok(updated)
}

/// `groupsBelowMinimum`: a city's MATCHED groups with fewer members than a group needs, for staff
/// to act on (find a member, or talk about the match).
pub async fn below_minimum(db: &DatabaseConnection, p: &Principal, city: &str) -> AppResult<Vec<welcome_group::Model>> {
    let city = crate::rounds::city_in_scope(db, p, Op::DecideMatches, city).await?;
    let matched = welcome_group::Entity::find()
        .filter(welcome_group::Column::CitySlug.eq(city.as_str()))
        .filter(welcome_group::Column::Status.eq(GroupStatus::Matched))
        .order_by_asc(welcome_group::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<String> = matched.iter().map(|g| g.id.clone()).collect();
    let mut counts: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for m in members_of(db, ids).await? {
        *counts.entry(m.group_id).or_default() += 1;
    }
    let min = city_rules(db, &city).await?.min_group_size.max(1) as u64;
    Ok(matched.into_iter().filter(|g| counts.get(&g.id).copied().unwrap_or(0) < min).collect())
}

/// Bumps a group's version when its members change, so an `expectedVersion` read before the
/// change is stale after it.
async fn bump(conn: &impl ConnectionTrait, group: &welcome_group::Model) -> AppResult<()> {
    save_versioned(conn, Default::default(), &group.id, group.version).await.map(|_| ())
}

pub async fn remove_member(db: &DatabaseConnection, p: &Principal, member_id: &str) -> AppResult<bool> {
    // The role decides first: a role that may not remove members learns nothing about ids.
    p.scope_for(Op::RemoveMember)?;
    let txn = begin_write(db).await?;
    let member = group_member::Entity::find_by_id(member_id.trim())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("group member"))?;
    let group = find_scoped_locked(&txn, p, Op::RemoveMember, &member.group_id)
        .await
        .map_err(|e| if matches!(e, AppError::NotFound(_)) { AppError::NotFound("group member") } else { e })?;
    ensure_open(&group)?;
    // A member may always leave (people move, fall ill, stop); a group that drops below the
    // minimum is not refused but flagged: a READY one is FORMING again, a MATCHED one keeps its
    // match and appears in `groupsBelowMinimum` for staff to act on.
    let mut below_minimum = false;
    if matches!(group.status, GroupStatus::Ready | GroupStatus::Matched) {
        if member.is_coordinator {
            return Err(AppError::conflict(format!(
                "a {} group keeps its coordinator; hand coordination over before removing this member",
                status_code(group.status)
            )));
        }
        let count = group_member::Entity::find()
            .filter(group_member::Column::GroupId.eq(group.id.as_str()))
            .count(&txn)
            .await?;
        let min = city_rules(&txn, &group.city_slug).await?.min_group_size;
        below_minimum = count <= min as u64;
    }
    group_member::Entity::delete_by_id(member.id.as_str()).exec(&txn).await?;
    // The deleted row's sealed values stay in the database's free space: destroying the
    // member's key makes them unreadable, as an erasure does.
    sealed::shred(&txn, vec![member.id.clone()]).await?;
    if below_minimum && group.status == GroupStatus::Ready {
        let am = welcome_group::ActiveModel { status: Set(GroupStatus::Forming), ..Default::default() };
        save_versioned(&txn, am, &group.id, group.version).await?;
    } else {
        bump(&txn, &group).await?;
    }
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "group.member.remove",
            entity_type: "group_member",
            entity_id: &member.id,
            city: Some(&group.city_slug),
            details: json!({ "groupId": group.id, "belowMinimum": below_minimum }),
        },
    )
    .await?;
    txn.commit().await?;
    sealed::scrub_keys(db).await;
    Ok(true)
}

pub async fn mark_ready(db: &DatabaseConnection, p: &Principal, id: &str) -> AppResult<welcome_group::Model> {
    let txn = begin_write(db).await?;
    let group = find_scoped_locked(&txn, p, Op::MarkGroupReady, id).await?;
    match group.status {
        GroupStatus::Ready => return Ok(group),
        GroupStatus::Forming => {}
        other => {
            return Err(AppError::conflict(format!(
                "only a FORMING group can become READY; this one is {}",
                status_code(other)
            )));
        }
    }
    let ms = members(&txn, &group.id).await?;
    let rules = city_rules(&txn, &group.city_slug).await?;
    let missing = missing_for_ready(&rules, &group, &ms);
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|m| m.detail.clone()).collect();
        return Err(AppError::bad_input("id", format!("the group cannot become READY yet: {}", list.join("; "))));
    }
    let mut am: welcome_group::ActiveModel = group.clone().into();
    am.status = Set(GroupStatus::Ready);
    let updated = save_versioned(&txn, am, &group.id, group.version).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "group.ready",
            entity_type: "welcome_group",
            entity_id: &group.id,
            city: Some(&group.city_slug),
            details: json!({ "from": "FORMING", "to": "READY" }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// FORMING, READY or MATCHED → WITHDRAWN. A live match ends first: a proposal is rejected, an
/// active match ends early (GROUP_DISSOLVED, the newcomer WAITING again).
pub async fn withdraw(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    id: &str,
    reason: &str,
) -> AppResult<welcome_group::Model> {
    let reason = validate::required_text("reason", reason, validate::MAX_TEXT)?;
    let txn = begin_write(db).await?;
    // Households are locked before groups (see `locks`): the household of the group's live
    // match first, then the group; if the live match changed in between, try again.
    let scoped = find_scoped(&txn, p, Op::WithdrawGroup, id).await?;
    let live_before = crate::decisions::live_match_any(&txn, None, Some(&scoped.id)).await?;
    if let Some(live) = &live_before {
        crate::locks::newcomer(&txn, &live.newcomer_id).await?;
    }
    let group = crate::locks::group(&txn, &scoped.id).await?;
    let live_now = crate::decisions::live_match_any(&txn, None, Some(&group.id)).await?;
    if live_now.as_ref().map(|m| &m.newcomer_id) != live_before.as_ref().map(|m| &m.newcomer_id) {
        return Err(AppError::conflict("the group's match changed at the same time; try again"));
    }
    if !matches!(group.status, GroupStatus::Forming | GroupStatus::Ready | GroupStatus::Matched) {
        return Err(AppError::conflict(format!(
            "only a FORMING, READY or MATCHED group can be withdrawn; this one is {}",
            status_code(group.status)
        )));
    }
    let from = status_code(group.status);
    crate::decisions::cancel_proposals(&txn, vault, Some(p), None, Some(&group.id), "the group withdrew").await?;
    if let Some(live) = crate::decisions::live_match_any(&txn, None, Some(&group.id)).await? {
        crate::year::end_live(
            &txn,
            vault,
            p,
            &live,
            (crate::year::EndReason::GroupDissolved, domain::values::DecisionSide::Group),
            "the group withdrew",
            today,
        )
        .await?;
    }
    let fresh = welcome_group::Entity::find_by_id(group.id.as_str())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("welcome group"))?;
    let mut am: welcome_group::ActiveModel = fresh.clone().into();
    am.status = Set(GroupStatus::Withdrawn);
    am.status_reason = Set(Some(reason));
    let updated = save_versioned(&txn, am, &fresh.id, fresh.version).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "group.withdraw",
            entity_type: "welcome_group",
            entity_id: &group.id,
            city: Some(&group.city_slug),
            details: json!({ "from": from, "to": "WITHDRAWN" }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// What a city asks of a READY group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadyRules {
    /// The fewest members (`cities.min_group_size`).
    pub min_group_size: i32,
    /// Whether screening is required (`cities.screening_required`).
    pub screening_required: bool,
}

impl Default for ReadyRules {
    fn default() -> Self {
        ReadyRules { min_group_size: DEFAULT_MIN_GROUP_SIZE, screening_required: true }
    }
}

/// The rules of `city` (the defaults if there is no such city).
pub async fn city_rules(conn: &impl ConnectionTrait, city: &str) -> AppResult<ReadyRules> {
    Ok(entity::city::Entity::find_by_id(city)
        .one(conn)
        .await?
        .map(|c| ReadyRules { min_group_size: c.min_group_size, screening_required: c.screening_required })
        .unwrap_or_default())
}

/// One thing a group still lacks before it may become READY.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// `TOO_FEW_MEMBERS`, `COORDINATOR`, `CERTIFICATE_OF_CONDUCT`, `INTAKE_CONVERSATION` or
    /// `PREPARATION_MEETING`.
    pub code: &'static str,
    /// What is missing, in words; names members by id only (no personal data).
    pub detail: String,
    /// The members concerned (for `CERTIFICATE_OF_CONDUCT`: those without a date).
    pub member_ids: Vec<String>,
}

/// Everything group `g` with members `ms` still lacks to become READY under `rules`, in a fixed
/// order; empty when it may. Erased members count as members without a certificate.
pub fn missing_for_ready(rules: &ReadyRules, g: &welcome_group::Model, ms: &[group_member::Model]) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let min = rules.min_group_size.max(1) as usize;
    if ms.len() < min {
        gaps.push(Gap {
            code: "TOO_FEW_MEMBERS",
            detail: format!("a READY group has at least {min} members (the city's minimum); this one has {}", ms.len()),
            member_ids: Vec::new(),
        });
    }
    let coordinators = ms.iter().filter(|m| m.is_coordinator).count();
    if coordinators != 1 {
        gaps.push(Gap {
            code: "COORDINATOR",
            detail: format!("a READY group has exactly one coordinator; this one has {coordinators}"),
            member_ids: Vec::new(),
        });
    }
    if rules.screening_required {
        let without: Vec<String> = ms.iter().filter(|m| m.vog_received_on.is_none()).map(|m| m.id.clone()).collect();
        if !without.is_empty() {
            gaps.push(Gap {
                code: "CERTIFICATE_OF_CONDUCT",
                detail: format!(
                    "{} of {} members have no certificate-of-conduct (VOG) date (member ids: {})",
                    without.len(),
                    ms.len(),
                    without.join(", ")
                ),
                member_ids: without,
            });
        }
        if g.intake_held_on.is_none() {
            gaps.push(Gap {
                code: "INTAKE_CONVERSATION",
                detail: "the intake conversation has not been recorded (intakeHeldOn)".to_owned(),
                member_ids: Vec::new(),
            });
        }
        if g.preparation_attended_on.is_none() {
            gaps.push(Gap {
                code: "PREPARATION_MEETING",
                detail: "the preparation meeting has not been recorded (preparationAttendedOn)".to_owned(),
                member_ids: Vec::new(),
            });
        }
    }
    gaps
}

/// `startNewCycle`: a COMPLETED group takes another household. Its history (past matches,
/// activities, check-ins) stays; its `cycle` counts one more. The group goes back to READY
/// when it still meets the city's rules for READY — the certificates of conduct stay valid, but
/// a new cycle needs a new intake conversation and preparation meeting where the city requires
/// screening, so the caller may send their dates (`intake`, `preparation`); otherwise it goes
/// back to FORMING, and `markGroupReady` follows once the screening is recorded.
pub async fn start_new_cycle(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    id: &str,
    intake: Option<NaiveDate>,
    preparation: Option<NaiveDate>,
) -> AppResult<welcome_group::Model> {
    let intake = intake.map(|d| validate::past_date("intakeHeldOn", d, today)).transpose()?;
    let preparation = preparation.map(|d| validate::past_date("preparationAttendedOn", d, today)).transpose()?;
    let txn = begin_write(db).await?;
    let group = find_scoped_locked(&txn, p, Op::MarkGroupReady, id).await?;
    if group.status != GroupStatus::Completed {
        return Err(AppError::conflict(format!(
            "only a COMPLETED group can start a new cycle; this one is {}",
            status_code(group.status)
        )));
    }
    if crate::decisions::live_match_any(&txn, None, Some(&group.id)).await?.is_some() {
        return Err(AppError::conflict("the group still has a live match"));
    }
    let ms = members(&txn, &group.id).await?;
    let rules = city_rules(&txn, &group.city_slug).await?;
    let mut am: welcome_group::ActiveModel = group.clone().into();
    // The screening dates of the cycle before do not carry over.
    am.intake_held_on = Set(intake);
    am.preparation_attended_on = Set(preparation);
    let mut next = group.clone();
    next.intake_held_on = intake;
    next.preparation_attended_on = preparation;
    let status =
        if missing_for_ready(&rules, &next, &ms).is_empty() { GroupStatus::Ready } else { GroupStatus::Forming };
    am.status = Set(status);
    am.status_reason = Set(None);
    am.cycle = Set(group.cycle + 1);
    let updated = save_versioned(&txn, am, &group.id, group.version).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "group.new_cycle",
            entity_type: "welcome_group",
            entity_id: &group.id,
            city: Some(&group.city_slug),
            details: json!({ "from": "COMPLETED", "to": status_code(status), "cycle": updated.cycle }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

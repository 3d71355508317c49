//! Newcomer households: registration (idempotent), updates (optimistic versions), withdrawal.

use chrono::{NaiveDate, Utc};
use entity::{IntList, LanguageSkill, LanguageSkills, NewcomerStatus, StringList, newcomer};
use sea_orm::DatabaseConnection;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::db::begin_write;
use crate::page::{self, Page, PageArgs};
use crate::sealed::{self, Vault};
use crate::{audit, new_id};
use domain::error::{AppError, AppResult};
use domain::policy::Op;
use domain::policy::{Principal, Scope};
use domain::validate;
use domain::values::Goal;

/// One language a newcomer speaks.
#[derive(Clone, Debug)]
pub struct LanguageSkillInput {
    /// ISO 639-1 code: "ar", "ti", "fa", ...
    pub code: String,
    /// How well.
    pub level: domain::values::LanguageLevel,
}

/// A newcomer household to register.
#[derive(Clone, Debug)]
pub struct RegisterNewcomerInput {
    /// Slug of the city the household lives in.
    pub city_slug: String,
    /// Full name of the primary contact (1-200 characters).
    pub name: String,
    /// E-mail address of the primary contact.
    pub email: Option<String>,
    /// Phone number, 6-15 digits, optionally with a leading +.
    pub phone: Option<String>,
    /// Year of birth of the primary contact (at least 16 years old).
    pub birth_year: i32,
    /// Gender of the primary contact.
    pub gender: domain::enums::Gender,
    /// ISO 3166-1 alpha-2 code of the country of origin, e.g. "SY".
    pub country_of_origin: String,
    /// Languages spoken, each code once.
    pub languages: Vec<LanguageSkillInput>,
    /// Level of Dutch now (CEFR).
    pub dutch_level: domain::enums::CefrLevel,
    /// Lower-case interest tags.
    pub interests: Vec<String>,
    /// Sector of work or training, e.g. "healthcare".
    pub sector: Option<String>,
    /// Education, in a few words (at most 200 characters).
    pub education: Option<String>,
    /// What the household hopes the year brings.
    pub goals: Vec<domain::values::Goal>,
    /// Adults in the household, 1-10.
    pub household_adults: i32,
    /// Ages of the children, each 0-17.
    pub children_ages: Vec<i32>,
    /// Date of arrival in the Netherlands (not in the future).
    pub arrival_date: NaiveDate,
    /// Neighbourhood the household lives in.
    pub neighbourhood: Option<String>,
    /// Preferences and needs matchers should know (at most 2000 characters).
    pub needs: Option<String>,
    /// What the group may call them; default: the first word of `name`.
    pub preferred_name: Option<String>,
    /// Whether contact details may be shared with the group's coordinator.
    pub share_contact_with_group: bool,
    /// Date the person agreed to the privacy notice.
    pub consent_date: Option<NaiveDate>,
    /// Version of the privacy notice they agreed to, e.g. "2026-01".
    pub privacy_notice_version: Option<String>,
    /// A retried registration with the same key (from the same account) returns the same
    /// newcomer instead of a duplicate. 1-200 characters.
    pub idempotency_key: Option<String>,
    /// The baseline taken at registration (network, work, Dutch level, well-being).
    pub baseline: Option<crate::year::BaselineInput>,
}

/// Changes to a newcomer; fields left out stay as they are. Optional text fields are cleared
/// with an empty string.
#[derive(Clone, Debug, Default)]
pub struct UpdateNewcomerInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birth_year: Option<i32>,
    pub gender: Option<domain::enums::Gender>,
    pub country_of_origin: Option<String>,
    pub languages: Option<Vec<LanguageSkillInput>>,
    pub dutch_level: Option<domain::enums::CefrLevel>,
    pub interests: Option<Vec<String>>,
    pub sector: Option<String>,
    pub education: Option<String>,
    pub goals: Option<Vec<domain::values::Goal>>,
    pub household_adults: Option<i32>,
    pub children_ages: Option<Vec<i32>>,
    pub arrival_date: Option<NaiveDate>,
    pub neighbourhood: Option<String>,
    pub needs: Option<String>,
    pub preferred_name: Option<String>,
    pub share_contact_with_group: Option<bool>,
    pub consent_date: Option<NaiveDate>,
    pub privacy_notice_version: Option<String>,
    /// The `version` you read; when the newcomer changed since, the update answers CONFLICT.
    pub expected_version: Option<i32>,
}

/// Filters for listing newcomers.
#[derive(Default)]
pub struct NewcomerFilter {
    pub city: Option<String>,
    pub status: Option<NewcomerStatus>,
}

/// How much of one household a caller may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HouseholdView {
    /// ADMIN and CITY_ADMIN (of the household's city: whoever loaded the record checked it).
    Full,
    /// The coordinator of the group whose ACTIVE match this is: what the year together needs,
    /// contact details only with the household's consent.
    Active,
    /// The coordinator of the group it is PROPOSED to: what the decision needs, no contact
    /// details.
    Proposal,
    /// PARTNER: the status only.
    Status,
    /// Anyone else, e.g. the coordinator of a group whose match with it ended or was rejected:
    /// nothing but the id.
    Nothing,
}

/// The one scope check on every path from a caller to a household's data: a newcomer read
/// directly, the household of a match, a run, a recommendation or a preview. A coordinator's
/// view follows their group's match with the household, read now, so it ends when the match
/// does.
pub async fn view_for(conn: &impl ConnectionTrait, p: &Principal, n: &newcomer::Model) -> AppResult<HouseholdView> {
    use domain::enums::Role;
    use entity::{MatchStatus, matches};
    Ok(match p.role {
        Role::Admin | Role::CityAdmin => HouseholdView::Full,
        Role::Partner => HouseholdView::Status,
        Role::Analyst => HouseholdView::Nothing,
        // A community builder supports the household: everything staff see, for the households
        // of the matches assigned to them.
        Role::CommunityBuilder => {
            let supports = p.supported.as_ref().is_some_and(|s| s.newcomers.contains(&n.id));
            if supports && p.city.as_deref() == Some(n.city_slug.as_str()) {
                HouseholdView::Full
            } else {
                HouseholdView::Nothing
            }
        }
        Role::Coordinator => {
            let Some(group) = &p.group else { return Ok(HouseholdView::Nothing) };
            let live = matches::Entity::find()
                .filter(matches::Column::GroupId.eq(group.as_str()))
                .filter(matches::Column::NewcomerId.eq(n.id.as_str()))
                .filter(matches::Column::Status.is_in(crate::matches::LIVE))
                .one(conn)
                .await?;
            match live.map(|m| m.status) {
                Some(MatchStatus::Active) => HouseholdView::Active,
                Some(MatchStatus::Proposed) => HouseholdView::Proposal,
                _ => HouseholdView::Nothing,
            }
        }
    })
}

fn scope_condition(scope: &Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::City(c) => Condition::all().add(newcomer::Column::CitySlug.eq(c.as_str())),
        // A coordinator sees only the newcomer of their group's live (proposed or active) match.
        Scope::Group { group_id, .. } => Condition::all().add(crate::matches::newcomer_of_live_match(group_id)),
        Scope::Supported { city, of } => Condition::all()
            .add(newcomer::Column::CitySlug.eq(city.as_str()))
            .add(newcomer::Column::Id.is_in(of.newcomers.iter().map(String::as_str))),
    }
}

pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    filter: NewcomerFilter,
    args: &PageArgs,
) -> AppResult<Page<newcomer::Model>> {
    let scope = p.scope_for(Op::ReadNewcomers)?;
    let mut q = newcomer::Entity::find().filter(scope_condition(&scope));
    if let Some(c) = filter.city {
        q = q.filter(newcomer::Column::CitySlug.eq(scope.city_filter(&c)?));
    }
    if let Some(s) = filter.status {
        q = q.filter(newcomer::Column::Status.eq(s));
    }
    page::fetch(db, q, newcomer::Column::Id, args).await
}

/// The newcomer `id` if within the caller's scope for `op`; NOT_FOUND otherwise.
pub async fn find_scoped(conn: &impl ConnectionTrait, p: &Principal, op: Op, id: &str) -> AppResult<newcomer::Model> {
    let scope = p.scope_for(op)?;
    let found = newcomer::Entity::find_by_id(id.trim()).filter(scope_condition(&scope)).one(conn).await?;
    found.filter(|n| p.may_change(op, n.registered_by.as_deref())).ok_or(AppError::NotFound("newcomer"))
}

/// `find_scoped`, with the household's row locked for a state change (see `locks`).
pub async fn find_scoped_locked(
    conn: &impl ConnectionTrait,
    p: &Principal,
    op: Op,
    id: &str,
) -> AppResult<newcomer::Model> {
    let found = find_scoped(conn, p, op, id).await?;
    crate::locks::newcomer(conn, &found.id).await
}

pub async fn get(db: &DatabaseConnection, p: &Principal, id: &str) -> AppResult<newcomer::Model> {
    find_scoped(db, p, Op::ReadNewcomers, id).await
}

fn language_skills(field: &str, skills: &[LanguageSkillInput]) -> AppResult<Vec<LanguageSkill>> {
    if skills.is_empty() {
        return Err(AppError::bad_input(field, format!("{field} must list at least one language")));
    }
    if skills.len() > validate::MAX_TAGS {
        return Err(AppError::bad_input(field, format!("{field} lists more than {} languages", validate::MAX_TAGS)));
    }
    let mut out: Vec<LanguageSkill> = Vec::with_capacity(skills.len());
    for s in skills {
        let code = validate::language(field, &s.code)?;
        if out.iter().any(|o| o.code == code) {
            return Err(AppError::bad_input(field, format!("{field} lists {code:?} twice")));
        }
        out.push(LanguageSkill { code, level: s.level.as_str().to_owned() });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

fn goals(values: &[Goal]) -> Vec<String> {
    let mut v: Vec<Goal> = values.to_vec();
    v.sort();
    v.dedup();
    v.into_iter().map(|g| g.as_str().to_owned()).collect()
}

fn single_tag(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => Ok(validate::tags(field, &[v.to_owned()])?.pop()),
    }
}

fn default_preferred_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or(name).to_owned()
}

fn privacy_version(value: Option<&str>) -> AppResult<Option<String>> {
    validate::optional_text("privacyNoticeVersion", value, 32)
}

/// The household a retry with the same idempotency key finds: returned when the retry asks
/// for the same registration, CONFLICT (naming the key) when it asks for another.
fn same_registration(
    existing: newcomer::Model,
    fingerprint: &Option<String>,
    key: Option<&str>,
) -> AppResult<newcomer::Model> {
    // Records registered before fingerprints were kept have none: they are returned as before.
    match (&existing.idempotency_fingerprint, fingerprint) {
        (Some(stored), Some(asked)) if stored != asked => Err(AppError::conflict(format!(
            "the idempotency key {:?} was used for a different registration; use a new key for a new household",
            key.unwrap_or_default()
        ))),
        _ => Ok(existing),
    }
}

pub async fn register(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    input: RegisterNewcomerInput,
) -> AppResult<newcomer::Model> {
    let scope = p.scope_for(Op::RegisterNewcomer)?;
    if let Some(b) = &input.baseline {
        b.check("baseline.")?;
    }
    let city_slug = input.city_slug.trim().to_lowercase();
    let name = validate::required_text("name", &input.name, validate::MAX_NAME)?;
    let preferred_name = match input.preferred_name.as_deref() {
        Some(n) => validate::required_text("preferredName", n, 100)?,
        None => default_preferred_name(&name),
    };
    let email = input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| validate::email("email", e))
        .transpose()?;
    let phone = validate::phone("phone", input.phone.as_deref())?;
    let birth_year = validate::birth_year("birthYear", input.birth_year, today, 16)?;
    let country = validate::country("countryOfOrigin", &input.country_of_origin)?;
    let languages = language_skills("languages", &input.languages)?;
    let interests = validate::tags("interests", &input.interests)?;
    let sector = single_tag("sector", input.sector.as_deref())?;
    let education = validate::optional_text("education", input.education.as_deref(), validate::MAX_NAME)?;
    let household_adults = validate::int_range("householdAdults", input.household_adults, 1, 10)?;
    let children = validate::children_ages("childrenAges", &input.children_ages)?;
    let arrival = validate::past_date("arrivalDate", input.arrival_date, today)?;
    let neighbourhood = validate::optional_text("neighbourhood", input.neighbourhood.as_deref(), validate::MAX_NAME)?;
    let needs = validate::optional_text("needs", input.needs.as_deref(), validate::MAX_TEXT)?;
    let consent_date = input.consent_date.map(|d| validate::past_date("consentDate", d, today)).transpose()?;
    let privacy_notice_version = privacy_version(input.privacy_notice_version.as_deref())?;
    let idempotency_key = input
        .idempotency_key
        .as_deref()
        .map(|k| validate::required_text("idempotencyKey", k, 200))
        .transpose()?
        // Scoped to the account, so one partner's key can never return another's newcomer;
        // stored as a keyed hash, since a partner may build keys from what it knows of a person.
        .map(|k| vault.blind_index("idempotency", &format!("{}:{k}", p.user_id)));
    // What this registration asks for, after validation (so spelling that validation evens out
    // does not count as a difference).
    let fingerprint = idempotency_key.as_ref().map(|_| {
        let asked = format!(
            "{:?}",
            (
                (&city_slug, &name, &preferred_name, &email, &phone, birth_year, input.gender, &country),
                (&languages, input.dutch_level, &interests, &sector, &education, goals(&input.goals)),
                (household_adults, &children, arrival, &neighbourhood, &needs, input.share_contact_with_group),
                (consent_date, &privacy_notice_version),
            )
        );
        // Keyed: a plain hash of a person's details lets anyone holding a guess confirm it.
        vault.blind_index("registration", &scripting::sha256_hex(&asked))
    });

    let txn = begin_write(db).await?;
    if let Some(key) = &idempotency_key
        && let Some(existing) =
            newcomer::Entity::find().filter(newcomer::Column::IdempotencyKey.eq(key.as_str())).one(&txn).await?
    {
        return same_registration(existing, &fingerprint, input.idempotency_key.as_deref());
    }
    if entity::city::Entity::find_by_id(city_slug.as_str()).one(&txn).await?.is_none() {
        return Err(AppError::bad_input("citySlug", format!("there is no city {:?}", input.city_slug)));
    }
    if !scope.covers_city(&city_slug) {
        return Err(AppError::forbidden("you may register newcomers only in your own city"));
    }
    let now = Utc::now();
    let id = new_id();
    let key = vault.create_key(&txn, &id).await?;
    let mut model = newcomer::ActiveModel {
        registered_by: Set(Some(p.user_id.clone())),
        // Research consent is asked for apart (`setResearchConsent`): none until given.
        research_consent_at: Set(None),
        research_consent_version: Set(None),
        city_slug: Set(city_slug),
        name: Set(key.seal(sealed::NEWCOMER_NAME, &id, &name)?),
        preferred_name: Set(key.seal(sealed::NEWCOMER_PREFERRED_NAME, &id, &preferred_name)?),
        email: Set(key.seal_opt(sealed::NEWCOMER_EMAIL, &id, email.as_deref())?),
        phone: Set(key.seal_opt(sealed::NEWCOMER_PHONE, &id, phone.as_deref())?),
        birth_year: Set(birth_year),
        gender: Set(input.gender.into()),
        country_of_origin: Set(country),
        languages: Set(LanguageSkills(languages)),
        dutch_level: Set(input.dutch_level.into()),
        interests: Set(StringList(interests)),
        sector: Set(sector),
        education: Set(key.seal_opt(sealed::NEWCOMER_EDUCATION, &id, education.as_deref())?),
        goals: Set(StringList(goals(&input.goals))),
        household_adults: Set(household_adults),
        children_ages: Set(IntList(children)),
        arrival_date: Set(arrival),
        neighbourhood: Set(neighbourhood),
        needs: Set(key.seal_opt(sealed::NEWCOMER_NEEDS, &id, needs.as_deref())?),
        share_contact_with_group: Set(input.share_contact_with_group),
        consent_date: Set(consent_date),
        privacy_notice_version: Set(privacy_notice_version),
        status: Set(NewcomerStatus::Waiting),
        status_reason: Set(None),
        waiting_since: Set(now),
        confirmed_at: Set(None),
        idempotency_key: Set(idempotency_key.clone()),
        idempotency_fingerprint: Set(fingerprint.clone()),
        erased_at: Set(None),
        baseline_network_size: Set(None),
        baseline_work_status: Set(None),
        baseline_dutch_level: Set(None),
        baseline_wellbeing: Set(None),
        baseline_recorded_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        id: Set(id),
    };
    if let Some(b) = &input.baseline {
        b.apply(&mut model, today);
    }
    let model = model.insert(&txn).await;
    let model = match (model, &idempotency_key) {
        (Ok(m), _) => m,
        // Two retries with one key at the same moment (PostgreSQL; SQLite's writes are serial):
        // the one that lost the race answers with the record the winner created.
        (Err(e), Some(key)) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            drop(txn);
            let existing = newcomer::Entity::find()
                .filter(newcomer::Column::IdempotencyKey.eq(key.as_str()))
                .one(db)
                .await?
                .ok_or_else(|| AppError::conflict("the registration with this idempotency key conflicts; retry"))?;
            return same_registration(existing, &fingerprint, input.idempotency_key.as_deref());
        }
        (Err(e), _) => return Err(e.into()),
    };
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "newcomer.register",
            entity_type: "newcomer",
            entity_id: &model.id,
            city: Some(&model.city_slug),
            details: json!({ "consentRecorded": model.consent_date.is_some() }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// The status as the API spells it.
pub fn status_code(s: NewcomerStatus) -> &'static str {
    domain::enums::NewcomerStatus::from(s).code()
}

pub async fn update(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    id: &str,
    input: UpdateNewcomerInput,
) -> AppResult<newcomer::Model> {
    let mut am: newcomer::ActiveModel = Default::default();
    let mut changed: Vec<&str> = Vec::new();
    macro_rules! set {
        ($field:ident, $name:literal, $value:expr) => {{
            am.$field = Set($value);
            changed.push($name);
        }};
    }
    if let Some(v) = &input.name {
        set!(name, "name", validate::required_text("name", v, validate::MAX_NAME)?);
    }
    if let Some(v) = &input.preferred_name {
        set!(preferred_name, "preferredName", validate::required_text("preferredName", v, 100)?);
    }
    if let Some(v) = &input.email {
        let e = if v.trim().is_empty() { None } else { Some(validate::email("email", v)?) };
        set!(email, "email", e);
    }
    if let Some(v) = &input.phone {
        set!(phone, "phone", validate::phone("phone", Some(v))?);
    }
    if let Some(v) = input.birth_year {
        set!(birth_year, "birthYear", validate::birth_year("birthYear", v, today, 16)?);
    }
    if let Some(v) = input.gender {
        set!(gender, "gender", v.into());
    }
    if let Some(v) = &input.country_of_origin {
        set!(country_of_origin, "countryOfOrigin", validate::country("countryOfOrigin", v)?);
    }
    if let Some(v) = &input.languages {
        set!(languages, "languages", LanguageSkills(language_skills("languages", v)?));
    }
    if let Some(v) = input.dutch_level {
        set!(dutch_level, "dutchLevel", v.into());
    }
    if let Some(v) = &input.interests {
        set!(interests, "interests", StringList(validate::tags("interests", v)?));
    }
    if let Some(v) = &input.sector {
        set!(sector, "sector", single_tag("sector", Some(v))?);
    }
    if let Some(v) = &input.education {
        set!(education, "education", validate::optional_text("education", Some(v), validate::MAX_NAME)?);
    }
    if let Some(v) = &input.goals {
        set!(goals, "goals", StringList(goals(v)));
    }
    if let Some(v) = input.household_adults {
        set!(household_adults, "householdAdults", validate::int_range("householdAdults", v, 1, 10)?);
    }
    if let Some(v) = &input.children_ages {
        set!(children_ages, "childrenAges", IntList(validate::children_ages("childrenAges", v)?));
    }
    if let Some(v) = input.arrival_date {
        set!(arrival_date, "arrivalDate", validate::past_date("arrivalDate", v, today)?);
    }
    if let Some(v) = &input.neighbourhood {
        set!(neighbourhood, "neighbourhood", validate::optional_text("neighbourhood", Some(v), validate::MAX_NAME)?);
    }
    if let Some(v) = &input.needs {
        set!(needs, "needs", validate::optional_text("needs", Some(v), validate::MAX_TEXT)?);
    }
    if let Some(v) = input.share_contact_with_group {
        set!(share_contact_with_group, "shareContactWithGroup", v);
    }
    if let Some(v) = input.consent_date {
        let d: NaiveDate = validate::past_date("consentDate", v, today)?;
        set!(consent_date, "consentDate", Some(d));
    }
    if let Some(v) = &input.privacy_notice_version {
        set!(privacy_notice_version, "privacyNoticeVersion", privacy_version(Some(v))?);
    }

    let txn = begin_write(db).await?;
    let current = find_scoped_locked(&txn, p, Op::UpdateNewcomer, id).await?;
    if matches!(current.status, NewcomerStatus::Withdrawn | NewcomerStatus::Completed) {
        return Err(AppError::conflict(format!(
            "the newcomer is {} and can no longer change",
            status_code(current.status)
        )));
    }
    crate::groups::check_version(input.expected_version, current.version)?;
    let key = vault.key_for(&txn, &current.id).await?;
    let id = current.id.as_str();
    sealed::seal_set(&key, sealed::NEWCOMER_NAME, id, &mut am.name)?;
    sealed::seal_set(&key, sealed::NEWCOMER_PREFERRED_NAME, id, &mut am.preferred_name)?;
    sealed::seal_set_opt(&key, sealed::NEWCOMER_EMAIL, id, &mut am.email)?;
    sealed::seal_set_opt(&key, sealed::NEWCOMER_PHONE, id, &mut am.phone)?;
    sealed::seal_set_opt(&key, sealed::NEWCOMER_EDUCATION, id, &mut am.education)?;
    sealed::seal_set_opt(&key, sealed::NEWCOMER_NEEDS, id, &mut am.needs)?;
    am.version = Set(current.version + 1);
    am.updated_at = Set(Utc::now());
    let res = newcomer::Entity::update_many()
        .set(am)
        .filter(newcomer::Column::Id.eq(current.id.as_str()))
        .filter(newcomer::Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::conflict("the newcomer changed at the same time; read it again and retry"));
    }
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "newcomer.update",
            entity_type: "newcomer",
            entity_id: &current.id,
            city: Some(&current.city_slug),
            details: json!({ "fields": changed }),
        },
    )
    .await?;
    let updated =
        newcomer::Entity::find_by_id(current.id.as_str()).one(&txn).await?.ok_or(AppError::NotFound("newcomer"))?;
    txn.commit().await?;
    Ok(updated)
}

/// WAITING or MATCHED → WITHDRAWN. A live match ends first: a proposal is rejected, an
/// active match ends early (NEWCOMER_REQUEST).
pub async fn withdraw(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    id: &str,
    reason: &str,
) -> AppResult<newcomer::Model> {
    let reason = validate::required_text("reason", reason, validate::MAX_TEXT)?;
    let txn = begin_write(db).await?;
    let current = find_scoped_locked(&txn, p, Op::WithdrawNewcomer, id).await?;
    if !matches!(current.status, NewcomerStatus::Waiting | NewcomerStatus::Matched) {
        return Err(AppError::conflict(format!(
            "only a WAITING or MATCHED newcomer can be withdrawn; this one is {}",
            status_code(current.status)
        )));
    }
    let from = status_code(current.status);
    crate::decisions::cancel_proposals(&txn, vault, Some(p), Some(&current.id), None, "the newcomer withdrew").await?;
    if let Some(live) = crate::decisions::live_match_any(&txn, Some(&current.id), None).await? {
        crate::year::end_live(
            &txn,
            vault,
            p,
            &live,
            (crate::year::EndReason::NewcomerRequest, domain::values::DecisionSide::Household),
            "the newcomer withdrew",
            today,
        )
        .await?;
    }
    let key = vault.key_for(&txn, &current.id).await?;
    let fresh =
        newcomer::Entity::find_by_id(current.id.as_str()).one(&txn).await?.ok_or(AppError::NotFound("newcomer"))?;
    newcomer::Entity::update_many()
        .set(newcomer::ActiveModel {
            status: Set(NewcomerStatus::Withdrawn),
            status_reason: Set(Some(key.seal(sealed::NEWCOMER_STATUS_REASON, &current.id, &reason)?)),
            version: Set(fresh.version + 1),
            updated_at: Set(Utc::now()),
            ..Default::default()
        })
        .filter(newcomer::Column::Id.eq(current.id.as_str()))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "newcomer.withdraw",
            entity_type: "newcomer",
            entity_id: &current.id,
            city: Some(&current.city_slug),
            details: json!({ "from": from, "to": "WITHDRAWN" }),
        },
    )
    .await?;
    let updated =
        newcomer::Entity::find_by_id(current.id.as_str()).one(&txn).await?.ok_or(AppError::NotFound("newcomer"))?;
    txn.commit().await?;
    Ok(updated)
}

//! Research under an agreement. An ADMIN registers a research project (agreement, purpose,
//! approved datasets and columns, start and end date, the researchers' ANALYST accounts);
//! households and group members give research consent apart from the privacy notice; a
//! researcher named in the project downloads extracts of the approved columns at full detail
//! (exact months, points, the facts scripts read), holding only the people who consented, and
//! pseudonymised with a key of the project's own. Pseudonymised data is personal data: every
//! download has an id that marks each of its rows, is audited, and is refused outside the
//! project's dates.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate, Utc};
use entity::{
    activity_log, check_in, group_member, household_check_in, matches, newcomer, research_download, research_project,
    research_project_member, user, welcome_group,
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};

use crate::db::begin_write;
use crate::export::{Cell, ExportKey};
use crate::{audit, new_id};
use domain::error::{AppError, AppResult};
use domain::policy::{Op, Principal};
use domain::validate;

/// The datasets a project may be approved for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResearchDataset {
    Households,
    Members,
    Matches,
    Checkins,
    HouseholdCheckins,
    Activities,
    Candidates,
}

/// (name, meaning) of every column of a research dataset, in file order.
type Columns = &'static [(&'static str, &'static str)];

const HOUSEHOLDS: Columns = &[
    ("household_pseudonym", "the household (the project's key)"),
    ("city", "city slug"),
    ("birth_year", "the main applicant's birth year"),
    ("gender", "FEMALE, MALE, OTHER or UNDISCLOSED"),
    ("country_of_origin", "ISO 3166-1 code"),
    ("household_adults", "adults"),
    ("children_ages", "JSON list of the children's ages"),
    ("arrival_month", "YYYY-MM of arrival"),
    ("registered_month", "YYYY-MM of registration"),
    ("dutch_level", "CEFR level at registration"),
    ("languages", "JSON list of {code, level}"),
    ("goals", "JSON list of goal codes"),
    ("interests", "JSON list of interests"),
    ("status", "WAITING, MATCHED, COMPLETED or WITHDRAWN"),
    ("waiting_days", "days spent waiting up to today (or to its match)"),
    ("baseline_network_size", "people it counted on at registration"),
    ("baseline_work_status", "work status at registration (a code)"),
    ("baseline_dutch_level", "Dutch level at the baseline"),
    ("baseline_wellbeing", "well-being 1-5 at registration"),
];

const MEMBERS: Columns = &[
    ("member_pseudonym", "the volunteer (the project's key)"),
    ("group_pseudonym", "the welcome group"),
    ("city", "city slug"),
    ("birth_year", "birth year"),
    ("languages", "JSON list of language codes"),
    ("interests", "JSON list of interests"),
    ("sector", "work sector"),
    ("is_coordinator", "whether the member coordinates the group"),
];

const MATCHES: Columns = &[
    ("match_pseudonym", "the match"),
    ("household_pseudonym", "the household (joins households)"),
    ("group_pseudonym", "the welcome group (joins members)"),
    ("run_pseudonym", "the round that proposed it; empty when proposed by hand"),
    ("city", "city slug"),
    ("status", "PROPOSED, ACTIVE, COMPLETED, ENDED_EARLY or REJECTED"),
    ("score", "the pair's total points"),
    ("criteria", "JSON object: the points of each criterion"),
    ("proposed_month", "YYYY-MM proposed"),
    ("start_month", "YYYY-MM the year together started"),
    ("end_month", "YYYY-MM it ended"),
    ("days_registration_to_proposal", "days from the household's registration to this proposal"),
    ("decided_side", "who decided a rejection or an early end: NEWCOMER, GROUP or STAFF"),
    ("decline_code", "why a proposal was declined (a code)"),
    ("end_reason_code", "why it ended (a code)"),
    ("months_together", "whole months from start to end (or to today)"),
    ("start_dutch_level", "the household's Dutch level at the start"),
    ("staff_override", "staff proposed or locked the pair against the script's eligibility"),
];

const CHECKINS: Columns = &[
    ("checkin_pseudonym", "the check-in (the group's view)"),
    ("match_pseudonym", "the match"),
    ("city", "city slug"),
    ("checkin_month", "3, 6 or 12: the month of the year together"),
    ("recorded_month", "YYYY-MM recorded"),
    ("newcomer_satisfaction", "1-5 as the group saw it"),
    ("group_satisfaction", "1-5"),
    ("dutch_level", "CEFR level"),
    ("work_status", "a code"),
    ("network_size", "people the household counts on"),
];

const HOUSEHOLD_CHECKINS: Columns = &[
    ("household_checkin_pseudonym", "the household's own check-in"),
    ("match_pseudonym", "the match"),
    ("city", "city slug"),
    ("checkin_month", "the month of the year together; 0 the exit check-in"),
    ("recorded_month", "YYYY-MM recorded"),
    ("satisfaction", "1-5"),
    ("wellbeing", "1-5"),
    ("dutch_level", "CEFR level"),
    ("work_status", "a code"),
    ("network_size", "people it counts on"),
];

const ACTIVITIES: Columns = &[
    ("activity_pseudonym", "the activity"),
    ("match_pseudonym", "the match"),
    ("city", "city slug"),
    ("date", "YYYY-MM-DD"),
    ("kind", "MEAL, LANGUAGE, ..."),
    ("duration_minutes", "minutes"),
    ("participants", "people"),
];

const CANDIDATES: Columns = &[
    ("run_pseudonym", "the round"),
    ("round_month", "YYYY-MM the round ran"),
    ("city", "city slug"),
    ("script_version", "the version of the city's script that scored it"),
    ("household_pseudonym", "the household (joins households)"),
    ("group_pseudonym", "the group (joins members)"),
    ("score", "the pair's total points"),
    ("criteria", "JSON object: the points of each criterion"),
    ("proposed", "whether the round proposed this pair"),
    ("match_pseudonym", "the match it became; empty when not proposed"),
    ("match_status", "PROPOSED, ACTIVE, COMPLETED, ENDED_EARLY or REJECTED"),
    ("decided_side", "who decided a rejection or an early end"),
    ("decline_code", "why the proposal was declined (a code)"),
    ("end_reason_code", "why the match ended (a code)"),
    ("latest_checkin_month", "3, 6 or 12: its latest check-in"),
    ("latest_newcomer_satisfaction", "1-5 at that check-in"),
    ("latest_group_satisfaction", "1-5 at that check-in"),
    ("household_features", "JSON: what the script read of the household (n), as the round saw it"),
    ("group_features", "JSON: what the script read of the group (g), as the round saw it"),
];

/// The columns every extract row starts with: which project and which download it is.
pub const MARKS: [&str; 2] = ["project_id", "download_id"];

impl ResearchDataset {
    pub const ALL: [ResearchDataset; 7] = [
        ResearchDataset::Households,
        ResearchDataset::Members,
        ResearchDataset::Matches,
        ResearchDataset::Checkins,
        ResearchDataset::HouseholdCheckins,
        ResearchDataset::Activities,
        ResearchDataset::Candidates,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ResearchDataset::Households => "households",
            ResearchDataset::Members => "members",
            ResearchDataset::Matches => "matches",
            ResearchDataset::Checkins => "checkins",
            ResearchDataset::HouseholdCheckins => "household_checkins",
            ResearchDataset::Activities => "activities",
            ResearchDataset::Candidates => "candidates",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    pub fn columns(self) -> Columns {
        match self {
            ResearchDataset::Households => HOUSEHOLDS,
            ResearchDataset::Members => MEMBERS,
            ResearchDataset::Matches => MATCHES,
            ResearchDataset::Checkins => CHECKINS,
            ResearchDataset::HouseholdCheckins => HOUSEHOLD_CHECKINS,
            ResearchDataset::Activities => ACTIVITIES,
            ResearchDataset::Candidates => CANDIDATES,
        }
    }

    /// Whose consent a row needs: the household's, except for members (their own).
    pub fn description(self) -> &'static str {
        match self {
            ResearchDataset::Households => "one row per consenting household, at full detail",
            ResearchDataset::Members => "one row per consenting volunteer",
            ResearchDataset::Matches => "the matches of consenting households, with exact points and months",
            ResearchDataset::Checkins => "the group's check-ins of consenting households' matches",
            ResearchDataset::HouseholdCheckins => "the household's own check-ins, with the exit check-in",
            ResearchDataset::Activities => "the activities of consenting households' matches, by date",
            ResearchDataset::Candidates => {
                "every pair a committed round could propose to a consenting household, with its points, whether it was proposed, the decision and the outcomes at check-ins"
            }
        }
    }
}

/// The approved columns of a project, by dataset, as stored.
pub type Approvals = Vec<(ResearchDataset, Vec<String>)>;

/// Reads the stored approvals (an unknown dataset or column, which only a hand edit could store,
/// is left out: nothing is released that was not approved).
pub fn approvals(project: &research_project::Model) -> Approvals {
    let Some(obj) = project.datasets.as_object() else { return Vec::new() };
    ResearchDataset::ALL
        .into_iter()
        .filter_map(|d| {
            let columns: Vec<String> = obj
                .get(d.name())?
                .as_array()?
                .iter()
                .filter_map(|c| c.as_str())
                .filter(|c| d.columns().iter().any(|(n, _)| n == c))
                .map(str::to_owned)
                .collect();
            (!columns.is_empty()).then_some((d, columns))
        })
        .collect()
}

/// What an ADMIN gives when registering or changing a project.
pub struct ProjectInput {
    pub name: String,
    pub agreement_reference: String,
    pub purpose: String,
    /// (dataset, columns); an empty column list means every column of the dataset.
    pub datasets: Vec<(String, Vec<String>)>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub researcher_ids: Vec<String>,
}

/// Checks an input; every problem names its field.
async fn check_input(conn: &impl ConnectionTrait, input: &ProjectInput) -> AppResult<(Value, Vec<String>)> {
    validate::required_text("name", &input.name, validate::MAX_NAME)?;
    validate::required_text("agreementReference", &input.agreement_reference, validate::MAX_NAME)?;
    validate::required_text("purpose", &input.purpose, validate::MAX_TEXT)?;
    if input.datasets.is_empty() {
        return Err(AppError::bad_input("datasets", "approve at least one dataset"));
    }
    let mut approved = serde_json::Map::new();
    for (i, (name, columns)) in input.datasets.iter().enumerate() {
        let field = format!("datasets[{i}]");
        let dataset = ResearchDataset::parse(name.trim()).ok_or_else(|| {
            let names: Vec<&str> = ResearchDataset::ALL.iter().map(|d| d.name()).collect();
            AppError::bad_input(field.clone(), format!("there is no dataset {name:?}; use one of {}", names.join(", ")))
        })?;
        if approved.contains_key(dataset.name()) {
            return Err(AppError::bad_input(field, format!("{} is approved twice", dataset.name())));
        }
        let known: Vec<&str> = dataset.columns().iter().map(|(n, _)| *n).collect();
        let mut chosen: Vec<&str> = Vec::new();
        for c in columns {
            let c = c.trim();
            if !known.contains(&c) {
                return Err(AppError::bad_input(
                    format!("{field}.columns"),
                    format!("{} has no column {c:?}; its columns are {}", dataset.name(), known.join(", ")),
                ));
            }
            if !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        // File order, whatever order they were given in; none given: all.
        let columns: Vec<&str> =
            if chosen.is_empty() { known } else { known.into_iter().filter(|k| chosen.contains(k)).collect() };
        approved.insert(dataset.name().to_owned(), json!(columns));
    }
    if input.ends_on < input.starts_on {
        return Err(AppError::bad_input("endsOn", "the project ends on or after the day it starts"));
    }
    if input.researcher_ids.is_empty() {
        return Err(AppError::bad_input("researcherIds", "name at least one researcher (an ANALYST account)"));
    }
    let mut ids: Vec<String> = Vec::new();
    for (i, id) in input.researcher_ids.iter().enumerate() {
        let account = user::Entity::find_by_id(id.trim()).one(conn).await?;
        match account {
            Some(u) if u.role == entity::Role::Analyst && u.disabled_at.is_none() => {
                if !ids.contains(&u.id) {
                    ids.push(u.id);
                }
            }
            Some(_) => {
                return Err(AppError::bad_input(
                    format!("researcherIds[{i}]"),
                    "a researcher is an enabled ANALYST account: invite one first",
                ));
            }
            None => {
                return Err(AppError::bad_input(format!("researcherIds[{i}]"), format!("there is no account {id:?}")));
            }
        }
    }
    Ok((Value::Object(approved), ids))
}

/// Registers a project (ADMIN; audited).
pub async fn register(
    db: &DatabaseConnection,
    p: &Principal,
    input: ProjectInput,
) -> AppResult<research_project::Model> {
    p.scope_for(Op::ResearchProjects)?;
    let txn = begin_write(db).await?;
    let (datasets, researchers) = check_input(&txn, &input).await?;
    let now = Utc::now();
    let project = research_project::ActiveModel {
        id: Set(new_id()),
        name: Set(input.name.trim().to_owned()),
        agreement_reference: Set(input.agreement_reference.trim().to_owned()),
        purpose: Set(input.purpose.trim().to_owned()),
        datasets: Set(datasets),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        created_by: Set(Some(p.user_id.clone())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    set_researchers(&txn, &project.id, &researchers).await?;
    audit_project(&txn, p, "research.project.register", &project, &researchers).await?;
    txn.commit().await?;
    Ok(project)
}

/// The audit entry of a registration or change: what was approved, when, for whom.
async fn audit_project(
    conn: &impl ConnectionTrait,
    p: &Principal,
    action: &str,
    project: &research_project::Model,
    researchers: &[String],
) -> AppResult<()> {
    audit::record(
        conn,
        Some(p),
        audit::Entry {
            action,
            entity_type: "research_project",
            entity_id: &project.id,
            city: None,
            details: json!({
                "datasets": project.datasets, "startsOn": project.starts_on, "endsOn": project.ends_on,
                "researchers": researchers,
            }),
        },
    )
    .await
}

/// Changes a project: every field is replaced (ADMIN; audited). Shortening the dates or taking
/// a dataset away refuses later downloads at once.
pub async fn update(
    db: &DatabaseConnection,
    p: &Principal,
    id: &str,
    input: ProjectInput,
) -> AppResult<research_project::Model> {
    p.scope_for(Op::ResearchProjects)?;
    let txn = begin_write(db).await?;
    let found = research_project::Entity::find_by_id(id.trim())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("research project"))?;
    let (datasets, researchers) = check_input(&txn, &input).await?;
    let mut active: research_project::ActiveModel = found.into();
    active.name = Set(input.name.trim().to_owned());
    active.agreement_reference = Set(input.agreement_reference.trim().to_owned());
    active.purpose = Set(input.purpose.trim().to_owned());
    active.datasets = Set(datasets);
    active.starts_on = Set(input.starts_on);
    active.ends_on = Set(input.ends_on);
    active.updated_at = Set(Utc::now());
    let project = active.update(&txn).await?;
    set_researchers(&txn, &project.id, &researchers).await?;
    audit_project(&txn, p, "research.project.update", &project, &researchers).await?;
    txn.commit().await?;
    Ok(project)
}

async fn set_researchers(conn: &impl ConnectionTrait, project: &str, ids: &[String]) -> AppResult<()> {
    research_project_member::Entity::delete_many()
        .filter(research_project_member::Column::ProjectId.eq(project))
        .exec(conn)
        .await?;
    let rows = ids
        .iter()
        .map(|u| research_project_member::ActiveModel { project_id: Set(project.to_owned()), user_id: Set(u.clone()) });
    if !ids.is_empty() {
        research_project_member::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

/// The projects the caller may see: ADMIN every one, an ANALYST those naming them.
pub async fn list(conn: &impl ConnectionTrait, p: &Principal) -> AppResult<Vec<research_project::Model>> {
    let all = research_project::Entity::find().order_by_desc(research_project::Column::CreatedAt).all(conn).await?;
    if p.scope_for(Op::ResearchProjects).is_ok() {
        return Ok(all);
    }
    p.scope_for(Op::ResearchExtract)?;
    let mine: HashSet<String> = research_project_member::Entity::find()
        .filter(research_project_member::Column::UserId.eq(p.user_id.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.project_id)
        .collect();
    Ok(all.into_iter().filter(|r| mine.contains(&r.id)).collect())
}

/// The researchers of a project: (id, e-mail).
pub async fn researchers(conn: &impl ConnectionTrait, project: &str) -> AppResult<Vec<user::Model>> {
    let ids: Vec<String> = research_project_member::Entity::find()
        .filter(research_project_member::Column::ProjectId.eq(project))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user::Entity::find().filter(user::Column::Id.is_in(ids)).order_by_asc(user::Column::Email).all(conn).await?)
}

/// The downloads of a project, newest first.
pub async fn downloads(conn: &impl ConnectionTrait, project: &str) -> AppResult<Vec<research_download::Model>> {
    Ok(research_download::Entity::find()
        .filter(research_download::Column::ProjectId.eq(project))
        .order_by_desc(research_download::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// The key of a project, derived from the server's export key: no pseudonym of it equals one
/// of the anonymised files or of another project.
pub fn key(master: &ExportKey, project: &str) -> ExportKey {
    master.derive(&format!("research-project:{project}"))
}

/// What a researcher may download: the project, the dataset and its approved columns. Refused
/// (FORBIDDEN) for anyone not named in the project, before its start or after its end date, and
/// for a dataset it was not approved for.
pub async fn check_download(
    conn: &impl ConnectionTrait,
    p: &Principal,
    project_id: &str,
    dataset: &str,
    today: NaiveDate,
) -> AppResult<(research_project::Model, ResearchDataset, Vec<String>)> {
    p.scope_for(Op::ResearchExtract)?;
    let dataset = ResearchDataset::parse(dataset).ok_or_else(|| {
        let names: Vec<&str> = ResearchDataset::ALL.iter().map(|d| d.name()).collect();
        AppError::bad_input(
            "dataset",
            format!("there is no research dataset {dataset:?}; use one of {}", names.join(", ")),
        )
    })?;
    let project = research_project::Entity::find_by_id(project_id.trim())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("research project"))?;
    let named = research_project_member::Entity::find_by_id((project.id.clone(), p.user_id.clone())).one(conn).await?;
    if named.is_none() {
        return Err(AppError::forbidden("only the researchers named in the project may download its extracts"));
    }
    if today < project.starts_on {
        return Err(AppError::forbidden(format!(
            "the project starts on {}: no extracts before then",
            project.starts_on
        )));
    }
    if today > project.ends_on {
        return Err(AppError::forbidden(format!(
            "the project ended on {}: its agreement allows no more extracts",
            project.ends_on
        )));
    }
    let approved = approvals(&project);
    let Some((_, columns)) = approved.iter().find(|(d, _)| *d == dataset) else {
        let names: Vec<&str> = approved.iter().map(|(d, _)| d.name()).collect();
        return Err(AppError::forbidden(format!(
            "the project is not approved for {}; it is approved for {}",
            dataset.name(),
            names.join(", ")
        )));
    };
    let columns = columns.clone();
    Ok((project, dataset, columns))
}

/// Records a download (its id marks the rows) and its audit entry.
#[allow(clippy::too_many_arguments)]
pub async fn record_download(
    db: &DatabaseConnection,
    p: &Principal,
    project: &research_project::Model,
    dataset: ResearchDataset,
    format: &str,
    rows: usize,
    download_id: &str,
    key_id: &str,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    research_download::ActiveModel {
        id: Set(download_id.to_owned()),
        project_id: Set(project.id.clone()),
        user_id: Set(p.user_id.clone()),
        dataset: Set(dataset.name().to_owned()),
        format: Set(format.to_owned()),
        rows: Set(rows as i32),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "research.download",
            entity_type: "research_project",
            entity_id: &project.id,
            city: None,
            details: json!({
                "downloadId": download_id, "dataset": dataset.name(), "format": format, "rows": rows,
                "keyId": key_id, "agreement": project.agreement_reference,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn month(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Points per criterion as a JSON object of points (the explanation holds hundredths).
fn points_json(parts: crate::run_record::Explanation) -> Value {
    Value::Object(parts.into_iter().map(|(name, h)| (name, json!(h as f64 / 100.0))).collect())
}

fn json_list<T: serde::Serialize>(v: &T) -> Cell {
    Cell::Json(serde_json::to_value(v).unwrap_or(Value::Null))
}

/// The rows of an extract: only people who consented (and were not erased), every column of
/// the dataset in file order, the marks first; `columns` then selects the approved ones.
pub async fn extract(
    conn: &impl ConnectionTrait,
    dataset: ResearchDataset,
    columns: &[String],
    key: &ExportKey,
    marks: [&str; 2],
    today: NaiveDate,
) -> AppResult<Vec<Vec<Cell>>> {
    let consenting: Vec<newcomer::Model> = newcomer::Entity::find()
        .filter(newcomer::Column::ResearchConsentAt.is_not_null())
        .filter(newcomer::Column::ErasedAt.is_null())
        .order_by_asc(newcomer::Column::Id)
        .all(conn)
        .await?;
    let households: HashSet<&str> = consenting.iter().map(|n| n.id.as_str()).collect();
    let full: Vec<Vec<Cell>> = match dataset {
        ResearchDataset::Households => consenting
            .iter()
            .map(|n| {
                let registered = domain::time::local_date(n.created_at);
                let waiting = (today - domain::time::local_date(n.waiting_since)).num_days().max(0);
                vec![
                    Cell::Text(key.pseudonym("newcomer", &n.id)),
                    Cell::Text(n.city_slug.clone()),
                    Cell::Int(n.birth_year.into()),
                    Cell::Text(n.gender.to_value()),
                    Cell::Text(n.country_of_origin.clone()),
                    Cell::Int(n.household_adults.into()),
                    json_list(&n.children_ages.0),
                    Cell::Text(month(n.arrival_date)),
                    Cell::Text(month(registered)),
                    Cell::Text(n.dutch_level.to_value()),
                    json_list(&n.languages.0),
                    json_list(&n.goals.0),
                    json_list(&n.interests.0),
                    Cell::Text(n.status.to_value()),
                    Cell::Int(waiting),
                    n.baseline_network_size.map_or(Cell::Null, |v| Cell::Int(v.into())),
                    n.baseline_work_status.clone().map_or(Cell::Null, Cell::Text),
                    n.baseline_dutch_level.map_or(Cell::Null, |l| Cell::Text(l.to_value())),
                    n.baseline_wellbeing.map_or(Cell::Null, |v| Cell::Int(v.into())),
                ]
            })
            .collect(),
        ResearchDataset::Members => {
            let members = group_member::Entity::find()
                .filter(group_member::Column::ResearchConsentAt.is_not_null())
                .filter(group_member::Column::ErasedAt.is_null())
                .order_by_asc(group_member::Column::Id)
                .all(conn)
                .await?;
            let group_ids: Vec<String> = members.iter().map(|m| m.group_id.clone()).collect();
            let cities: HashMap<String, String> = if group_ids.is_empty() {
                HashMap::new()
            } else {
                welcome_group::Entity::find()
                    .filter(welcome_group::Column::Id.is_in(group_ids))
                    .all(conn)
                    .await?
                    .into_iter()
                    .map(|g| (g.id, g.city_slug))
                    .collect()
            };
            members
                .iter()
                .map(|m| {
                    vec![
                        Cell::Text(key.pseudonym("member", &m.id)),
                        Cell::Text(key.pseudonym("group", &m.group_id)),
                        cities.get(&m.group_id).cloned().map_or(Cell::Null, Cell::Text),
                        Cell::Int(m.birth_year.into()),
                        json_list(&m.languages.0),
                        json_list(&m.interests.0),
                        m.sector.clone().map_or(Cell::Null, Cell::Text),
                        Cell::Bool(m.is_coordinator),
                    ]
                })
                .collect()
        }
        ResearchDataset::Matches => {
            let registered: HashMap<&str, NaiveDate> =
                consenting.iter().map(|n| (n.id.as_str(), domain::time::local_date(n.created_at))).collect();
            let rows = matches::Entity::find().order_by_asc(matches::Column::Id).all(conn).await?;
            let mut out = Vec::new();
            for m in rows.iter().filter(|m| households.contains(m.newcomer_id.as_str())) {
                let points = points_json(crate::run_record::explanation(&m.explanation)?);
                let proposed = domain::time::local_date(m.created_at);
                let waited = registered.get(m.newcomer_id.as_str()).map(|r| (proposed - *r).num_days());
                out.push(vec![
                    Cell::Text(key.pseudonym("match", &m.id)),
                    Cell::Text(key.pseudonym("newcomer", &m.newcomer_id)),
                    Cell::Text(key.pseudonym("group", &m.group_id)),
                    m.run_id.as_deref().map_or(Cell::Null, |r| Cell::Text(key.pseudonym("run", r))),
                    Cell::Text(m.city_slug.clone()),
                    Cell::Text(m.status.to_value()),
                    Cell::Json(json!(m.score as f64 / 100.0)),
                    Cell::Json(points),
                    Cell::Text(month(proposed)),
                    m.start_date.map_or(Cell::Null, |d| Cell::Text(month(d))),
                    m.end_date.map_or(Cell::Null, |d| Cell::Text(month(d))),
                    waited.map_or(Cell::Null, Cell::Int),
                    m.decided_side.clone().map_or(Cell::Null, Cell::Text),
                    m.decline_code.clone().map_or(Cell::Null, Cell::Text),
                    m.end_reason_code.clone().map_or(Cell::Null, Cell::Text),
                    m.start_date.map_or(Cell::Null, |s| {
                        Cell::Int(crate::export::datasets::months_between(s, m.end_date.unwrap_or(today)))
                    }),
                    m.start_dutch_level.map_or(Cell::Null, |l| Cell::Text(l.to_value())),
                    Cell::Bool(m.override_reason.is_some()),
                ]);
            }
            out
        }
        ResearchDataset::Candidates => candidate_rows(conn, &households, key).await?,
        ResearchDataset::Checkins | ResearchDataset::HouseholdCheckins | ResearchDataset::Activities => {
            let of_consenting: HashSet<String> = matches::Entity::find()
                .all(conn)
                .await?
                .into_iter()
                .filter(|m| households.contains(m.newcomer_id.as_str()))
                .map(|m| m.id)
                .collect();
            match dataset {
                ResearchDataset::Checkins => check_in::Entity::find()
                    .order_by_asc(check_in::Column::Id)
                    .all(conn)
                    .await?
                    .into_iter()
                    .filter(|c| of_consenting.contains(&c.match_id))
                    .map(|c| {
                        vec![
                            Cell::Text(key.pseudonym("checkin", &c.id)),
                            Cell::Text(key.pseudonym("match", &c.match_id)),
                            Cell::Text(c.city_slug),
                            Cell::Int(c.month.into()),
                            Cell::Text(month(domain::time::local_date(c.created_at))),
                            Cell::Int(c.newcomer_satisfaction.into()),
                            Cell::Int(c.group_satisfaction.into()),
                            Cell::Text(c.dutch_level.to_value()),
                            Cell::Text(c.work_status),
                            Cell::Int(c.network_size.into()),
                        ]
                    })
                    .collect(),
                ResearchDataset::HouseholdCheckins => household_check_in::Entity::find()
                    .order_by_asc(household_check_in::Column::Id)
                    .all(conn)
                    .await?
                    .into_iter()
                    .filter(|c| of_consenting.contains(&c.match_id))
                    .map(|c| {
                        vec![
                            Cell::Text(key.pseudonym("household_checkin", &c.id)),
                            Cell::Text(key.pseudonym("match", &c.match_id)),
                            Cell::Text(c.city_slug),
                            Cell::Int(c.month.into()),
                            Cell::Text(month(domain::time::local_date(c.created_at))),
                            Cell::Int(c.satisfaction.into()),
                            Cell::Int(c.wellbeing.into()),
                            Cell::Text(c.dutch_level.to_value()),
                            Cell::Text(c.work_status),
                            Cell::Int(c.network_size.into()),
                        ]
                    })
                    .collect(),
                _ => activity_log::Entity::find()
                    .order_by_asc(activity_log::Column::Id)
                    .all(conn)
                    .await?
                    .into_iter()
                    .filter(|a| of_consenting.contains(&a.match_id))
                    .map(|a| {
                        vec![
                            Cell::Text(key.pseudonym("activity", &a.id)),
                            Cell::Text(key.pseudonym("match", &a.match_id)),
                            Cell::Text(a.city_slug),
                            Cell::Text(a.date.to_string()),
                            Cell::Text(a.kind),
                            Cell::Int(a.duration_minutes.into()),
                            Cell::Int(a.participants.into()),
                        ]
                    })
                    .collect(),
            }
        }
    };
    // The approved columns, in file order, after the marks.
    let keep: Vec<usize> = dataset
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, (n, _))| columns.iter().any(|c| c == n))
        .map(|(i, _)| i)
        .collect();
    Ok(full
        .into_iter()
        .map(|row| {
            let mut out = vec![Cell::Text(marks[0].to_owned()), Cell::Text(marks[1].to_owned())];
            out.extend(keep.iter().filter_map(|i| row.get(*i).cloned()));
            out
        })
        .collect())
}

/// The candidates of the committed rounds for `households`, joined with the match each became
/// and its latest check-in.
async fn candidate_rows(
    conn: &impl ConnectionTrait,
    households: &HashSet<&str>,
    key: &ExportKey,
) -> AppResult<Vec<Vec<Cell>>> {
    let ids: Vec<String> = households.iter().map(|h| (*h).to_owned()).collect();
    let mut pairs = Vec::new();
    for chunk in ids.chunks(crate::db::IN_LIST_CHUNK) {
        pairs.extend(
            entity::round_candidate::Entity::find()
                .filter(entity::round_candidate::Column::NewcomerId.is_in(chunk.to_vec()))
                .all(conn)
                .await?,
        );
    }
    pairs.sort_by(|a, b| (&a.run_id, &a.newcomer_id, &a.group_id).cmp(&(&b.run_id, &b.newcomer_id, &b.group_id)));
    let run_ids: HashSet<String> = pairs.iter().map(|p| p.run_id.clone()).collect();
    let runs: HashMap<String, entity::matching_run::Model> = if run_ids.is_empty() {
        HashMap::new()
    } else {
        entity::matching_run::Entity::find()
            .filter(entity::matching_run::Column::Id.is_in(run_ids.iter().cloned().collect::<Vec<_>>()))
            .all(conn)
            .await?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect()
    };
    let of_runs: Vec<matches::Model> = if run_ids.is_empty() {
        Vec::new()
    } else {
        matches::Entity::find()
            .filter(matches::Column::RunId.is_in(run_ids.into_iter().collect::<Vec<_>>()))
            .all(conn)
            .await?
    };
    let by_pair: HashMap<(&str, &str, &str), &matches::Model> = of_runs
        .iter()
        .filter_map(|m| m.run_id.as_deref().map(|r| ((r, m.newcomer_id.as_str(), m.group_id.as_str()), m)))
        .collect();
    let match_ids: Vec<String> = of_runs.iter().map(|m| m.id.clone()).collect();
    let mut latest: HashMap<String, check_in::Model> = HashMap::new();
    for chunk in match_ids.chunks(crate::db::IN_LIST_CHUNK) {
        for c in check_in::Entity::find().filter(check_in::Column::MatchId.is_in(chunk.to_vec())).all(conn).await? {
            if latest.get(&c.match_id).is_none_or(|l| l.month < c.month) {
                latest.insert(c.match_id.clone(), c);
            }
        }
    }
    let mut features: HashMap<(String, String, String), Value> = HashMap::new();
    for runs_chunk in runs.keys().cloned().collect::<Vec<_>>().chunks(crate::db::IN_LIST_CHUNK) {
        for f in entity::round_feature::Entity::find()
            .filter(entity::round_feature::Column::RunId.is_in(runs_chunk.to_vec()))
            .all(conn)
            .await?
        {
            features.insert((f.run_id, f.kind, f.entity_id), f.features);
        }
    }
    let feature = |run: &str, kind: &str, id: &str| {
        features.get(&(run.to_owned(), kind.to_owned(), id.to_owned())).cloned().map_or(Cell::Null, Cell::Json)
    };
    let mut out = Vec::with_capacity(pairs.len());
    for p in &pairs {
        let run = runs.get(&p.run_id);
        let parts: crate::run_record::Explanation = crate::run_record::read("round_candidates.parts", &p.parts)?;
        let points = points_json(parts);
        let m = by_pair.get(&(p.run_id.as_str(), p.newcomer_id.as_str(), p.group_id.as_str()));
        let check = m.and_then(|m| latest.get(&m.id));
        out.push(vec![
            Cell::Text(key.pseudonym("run", &p.run_id)),
            run.map_or(Cell::Null, |r| Cell::Text(month(domain::time::local_date(r.created_at)))),
            run.map_or(Cell::Null, |r| Cell::Text(r.city_slug.clone())),
            run.map_or(Cell::Null, |r| Cell::Int(r.script_version.into())),
            Cell::Text(key.pseudonym("newcomer", &p.newcomer_id)),
            Cell::Text(key.pseudonym("group", &p.group_id)),
            Cell::Json(json!(p.score as f64 / 100.0)),
            Cell::Json(points),
            Cell::Bool(p.proposed),
            m.map_or(Cell::Null, |m| Cell::Text(key.pseudonym("match", &m.id))),
            m.map_or(Cell::Null, |m| Cell::Text(m.status.to_value())),
            m.and_then(|m| m.decided_side.clone()).map_or(Cell::Null, Cell::Text),
            m.and_then(|m| m.decline_code.clone()).map_or(Cell::Null, Cell::Text),
            m.and_then(|m| m.end_reason_code.clone()).map_or(Cell::Null, Cell::Text),
            check.map_or(Cell::Null, |c| Cell::Int(c.month.into())),
            check.map_or(Cell::Null, |c| Cell::Int(c.newcomer_satisfaction.into())),
            check.map_or(Cell::Null, |c| Cell::Int(c.group_satisfaction.into())),
            feature(&p.run_id, "newcomer", &p.newcomer_id),
            feature(&p.run_id, "group", &p.group_id),
        ]);
    }
    Ok(out)
}

/// Gives or withdraws a household's research consent. Giving needs the version of the research
/// information it agreed to; withdrawing removes it from every later extract (extracts already
/// downloaded stay under their agreement). Staff of its city; audited.
pub async fn set_newcomer_consent(
    db: &DatabaseConnection,
    p: &Principal,
    id: &str,
    consent: bool,
    version: Option<&str>,
) -> AppResult<newcomer::Model> {
    let version = consent_version(consent, version)?;
    let txn = begin_write(db).await?;
    let n = crate::newcomers::find_scoped_locked(&txn, p, Op::UpdateNewcomer, id).await?;
    if n.erased_at.is_some() {
        return Err(AppError::conflict("this household's personal data was erased"));
    }
    let now = Utc::now();
    let mut active: newcomer::ActiveModel = n.clone().into();
    active.research_consent_at = Set(consent.then_some(now));
    active.research_consent_version = Set(version.clone());
    active.version = Set(n.version + 1);
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: if consent { "newcomer.research_consent.give" } else { "newcomer.research_consent.withdraw" },
            entity_type: "newcomer",
            entity_id: &n.id,
            city: Some(&n.city_slug),
            details: json!({ "version": version }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The same for a group member (staff of the group's city, and its coordinator).
pub async fn set_member_consent(
    db: &DatabaseConnection,
    p: &Principal,
    member_id: &str,
    consent: bool,
    version: Option<&str>,
) -> AppResult<group_member::Model> {
    let version = consent_version(consent, version)?;
    p.scope_for(Op::UpdateMember)?;
    let txn = begin_write(db).await?;
    let member = group_member::Entity::find_by_id(member_id.trim())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("group member"))?;
    let group = crate::groups::find_scoped_locked(&txn, p, Op::UpdateMember, &member.group_id)
        .await
        .map_err(|e| if matches!(e, AppError::NotFound(_)) { AppError::NotFound("group member") } else { e })?;
    if member.erased_at.is_some() {
        return Err(AppError::conflict("this member's personal data was erased"));
    }
    let mut active: group_member::ActiveModel = member.clone().into();
    active.research_consent_at = Set(consent.then(Utc::now));
    active.research_consent_version = Set(version.clone());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: if consent {
                "group.member.research_consent.give"
            } else {
                "group.member.research_consent.withdraw"
            },
            entity_type: "group_member",
            entity_id: &member.id,
            city: Some(&group.city_slug),
            details: json!({ "groupId": group.id, "version": version }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

fn consent_version(consent: bool, version: Option<&str>) -> AppResult<Option<String>> {
    match (consent, version.map(str::trim)) {
        (true, Some(v)) if !v.is_empty() && v.chars().count() <= 32 => Ok(Some(v.to_owned())),
        (true, Some(_)) => Err(AppError::bad_input("version", "the version is 1 to 32 characters")),
        (true, None) => {
            Err(AppError::bad_input("version", "say which version of the research information was agreed to"))
        }
        (false, _) => Ok(None),
    }
}

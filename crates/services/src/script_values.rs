//! Building the script's view of newcomers and groups from the database models, once per
//! round. Only matching features cross over: no names, contact details or notes.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use entity::{CefrLevel, Gender, group_member, newcomer, welcome_group};
use rhai::ImmutableString;

use scripting::api::{Ages, GroupData, NewcomerData, ScriptGroup, ScriptNewcomer, Tags};

/// The gender as scripts and reports spell it.
pub fn gender_code(g: Gender) -> &'static str {
    match g {
        Gender::Female => "female",
        Gender::Male => "male",
        Gender::Other => "other",
        Gender::Undisclosed => "undisclosed",
    }
}

/// The level as scripts, exports and the API spell it.
pub fn cefr(l: CefrLevel) -> &'static str {
    domain::enums::CefrLevel::from(l).code()
}

fn text(s: &Option<String>) -> ImmutableString {
    s.as_deref().unwrap_or_default().to_lowercase().into()
}

/// `n` for one newcomer. Dutch counts among the languages from level A2 up.
pub fn newcomer(m: &newcomer::Model, today: NaiveDate) -> ScriptNewcomer {
    let mut languages: Vec<String> = m.languages.0.iter().map(|l| l.code.clone()).collect();
    if m.dutch_level >= CefrLevel::A2 {
        languages.push("nl".into());
    }
    let waiting_days = (today - domain::time::local_date(m.waiting_since)).num_days().max(0);
    ScriptNewcomer(Arc::new(NewcomerData {
        age: (today.year() - m.birth_year).into(),
        gender: gender_code(m.gender).into(),
        languages: Tags::new(languages),
        dutch_level: cefr(m.dutch_level).into(),
        interests: Tags::new(m.interests.0.clone()),
        sector: text(&m.sector),
        goals: Tags::new(m.goals.0.clone()),
        household_size: (m.household_adults + m.children_ages.0.len() as i32).into(),
        children_ages: Ages::new(m.children_ages.0.iter().map(|a| (*a).into()).collect()),
        city: m.city_slug.as_str().into(),
        neighbourhood: text(&m.neighbourhood),
        waiting_days,
    }))
}

/// `g` for one group with its members: languages and interests are the group's and its
/// members' together.
pub fn group(m: &welcome_group::Model, members: &[group_member::Model], today: NaiveDate) -> ScriptGroup {
    let mut languages = m.languages.0.clone();
    let mut interests = m.interests.0.clone();
    let mut sectors = Vec::new();
    let mut ages = Vec::with_capacity(members.len());
    for member in members {
        languages.extend(member.languages.0.iter().cloned());
        interests.extend(member.interests.0.iter().cloned());
        if let Some(s) = &member.sector {
            sectors.push(s.to_lowercase());
        }
        ages.push((today.year() - member.birth_year).into());
    }
    ScriptGroup(Arc::new(GroupData {
        city: m.city_slug.as_str().into(),
        neighbourhood: text(&m.neighbourhood),
        capacity: m.capacity.into(),
        size: members.len() as i64,
        languages: Tags::new(languages),
        interests: Tags::new(interests),
        member_ages: Ages::new(ages),
        sectors: Tags::new(sectors),
        availability_hours: m.availability_hours_per_month.unwrap_or(0).into(),
    }))
}

fn tags(t: &Tags) -> serde_json::Value {
    serde_json::Value::Array(t.0.iter().map(|s| serde_json::Value::from(s.as_str())).collect())
}

/// What a script reads of a household (`n`), as JSON: kept with a round's candidates so
/// research sees the facts as the round saw them.
pub fn newcomer_features(n: &ScriptNewcomer) -> serde_json::Value {
    let d = &n.0;
    serde_json::json!({
        "age": d.age, "gender": d.gender.as_str(), "languages": tags(&d.languages),
        "dutch_level": d.dutch_level.as_str(), "interests": tags(&d.interests), "sector": d.sector.as_str(),
        "goals": tags(&d.goals), "household_size": d.household_size, "children_ages": &d.children_ages.0[..],
        "city": d.city.as_str(), "neighbourhood": d.neighbourhood.as_str(), "waiting_days": d.waiting_days,
    })
}

/// What a script reads of a group (`g`) as the group's own facts, as JSON. The members' ages
/// and sectors (`g.member_ages`, `g.sectors`) are left out: they are each member's personal
/// data, and a research extract holds a member's facts only with that member's consent (the
/// `members` dataset).
pub fn group_features(g: &ScriptGroup) -> serde_json::Value {
    let d = &g.0;
    serde_json::json!({
        "city": d.city.as_str(), "neighbourhood": d.neighbourhood.as_str(), "capacity": d.capacity, "size": d.size,
        "languages": tags(&d.languages), "interests": tags(&d.interests), "availability_hours": d.availability_hours,
    })
}

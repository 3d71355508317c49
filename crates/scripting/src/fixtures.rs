//! Built-in sample pairs for validating a script when a city has no candidates yet (and for
//! `samenhier script check`): households and groups of different shapes, so a script's
//! branches get exercised.

use std::sync::Arc;

use super::api::{Ages, GroupData, NewcomerData, ScriptGroup, ScriptNewcomer, Tags};

fn tags(items: &[&str]) -> Tags {
    Tags::new(items.iter().map(|s| s.to_string()).collect())
}

#[allow(clippy::too_many_arguments)]
fn newcomer(
    age: i64,
    gender: &str,
    languages: &[&str],
    dutch: &str,
    interests: &[&str],
    sector: &str,
    goals: &[&str],
    adults: i64,
    children: &[i64],
    hood: &str,
    waiting_days: i64,
) -> ScriptNewcomer {
    ScriptNewcomer(Arc::new(NewcomerData {
        age,
        gender: gender.into(),
        languages: tags(languages),
        dutch_level: dutch.into(),
        interests: tags(interests),
        sector: sector.into(),
        goals: tags(goals),
        household_size: adults + children.len() as i64,
        children_ages: Ages::new(children.to_vec()),
        city: "almere".into(),
        neighbourhood: hood.into(),
        waiting_days,
    }))
}

#[allow(clippy::too_many_arguments)]
fn group(
    hood: &str,
    capacity: i64,
    languages: &[&str],
    interests: &[&str],
    ages: &[i64],
    sectors: &[&str],
    hours: i64,
) -> ScriptGroup {
    ScriptGroup(Arc::new(GroupData {
        city: "almere".into(),
        neighbourhood: hood.into(),
        capacity,
        size: ages.len() as i64,
        languages: tags(languages),
        interests: tags(interests),
        member_ages: Ages::new(ages.to_vec()),
        sectors: tags(sectors),
        availability_hours: hours,
    }))
}

pub fn newcomers() -> Vec<ScriptNewcomer> {
    vec![
        newcomer(
            34,
            "female",
            &["ar", "en"],
            "A1",
            &["cooking", "walking"],
            "healthcare",
            &["work", "language"],
            1,
            &[],
            "almere stad",
            120,
        ),
        newcomer(
            41,
            "male",
            &["ti", "ar"],
            "A0",
            &["football"],
            "construction",
            &["work"],
            2,
            &[3, 7, 12],
            "almere haven",
            300,
        ),
        newcomer(
            23,
            "male",
            &["fa", "en", "nl"],
            "B1",
            &["music", "technology"],
            "it",
            &["study", "social_network"],
            1,
            &[],
            "almere poort",
            15,
        ),
        newcomer(52, "female", &["uk", "ru"], "A2", &[], "", &["practical_matters"], 2, &[16], "", 0),
        newcomer(
            29,
            "undisclosed",
            &["so"],
            "A0",
            &["crafts", "cooking"],
            "",
            &["language", "social_network"],
            1,
            &[1],
            "almere buiten",
            45,
        ),
        newcomer(
            37,
            "other",
            &["tr", "ku", "nl"],
            "B2",
            &["chess", "cycling", "reading"],
            "education",
            &["work", "study"],
            2,
            &[5, 9],
            "almere hout",
            200,
        ),
    ]
}

pub fn groups() -> Vec<ScriptGroup> {
    vec![
        group(
            "almere stad",
            2,
            &["nl", "en"],
            &["cooking", "walking", "music"],
            &[35, 41, 58, 62, 29],
            &["healthcare", "education"],
            12,
        ),
        group(
            "almere haven",
            6,
            &["nl", "en", "ar"],
            &["football", "cycling"],
            &[44, 47, 39, 51, 36, 33],
            &["construction", "logistics"],
            20,
        ),
        group("almere poort", 1, &["nl"], &["technology", "chess"], &[24, 27, 31, 22, 26], &["it"], 8),
        group("", 4, &["nl", "uk", "en"], &[], &[60, 66, 71, 58, 63], &[], 0),
        group(
            "almere buiten",
            3,
            &["nl", "fr", "so"],
            &["crafts", "reading", "cooking"],
            &[30, 34, 45, 38, 41, 29, 50],
            &["retail"],
            16,
        ),
        group(
            "almere hout",
            8,
            &["nl", "tr", "en"],
            &["chess", "cycling", "reading", "gardening"],
            &[40, 43, 37, 48, 52],
            &["education", "finance"],
            24,
        ),
    ]
}

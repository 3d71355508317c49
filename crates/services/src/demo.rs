//! Synthetic demo data: for each city about 40 welcome groups of 5-8 members (one
//! coordinator each) and about 50 newcomer households of varied origin, languages, Dutch
//! levels, household shapes and goals. Generated from a fixed seed, so every fresh demo
//! database holds the same people; none of them exist. Seeded once; on every start with
//! `--demo` the demo users get new passwords, printed once.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use entity::{
    CefrLevel, Gender, GroupStatus, IntList, LanguageSkill, LanguageSkills, NewcomerStatus, Role, StringList,
    group_member, newcomer, user, welcome_group,
};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::auth::password;
use crate::config::Settings;
use crate::{audit, new_id, users};
use domain::error::AppError;

/// A demo account and the password it got at this start.
#[derive(Clone, Debug)]
pub struct DemoUser {
    pub email: String,
    pub role: &'static str,
    pub password: String,
}

const SEED: u64 = 20_261_129;
const DEMO_DOMAIN: &str = "demo.samenhier.nl";
const CITIES: [&str; 4] = ["almere", "den-haag", "haarlem", "rotterdam"];

fn neighbourhoods(city: &str) -> &'static [&'static str] {
    match city {
        "almere" => &["Almere Stad", "Almere Haven", "Almere Buiten", "Almere Poort", "Almere Hout"],
        "den-haag" => &["Centrum", "Escamp", "Laak", "Segbroek", "Scheveningen", "Loosduinen"],
        "haarlem" => &["Centrum", "Noord", "Schalkwijk", "Oost", "Zuid-West"],
        _ => &["Centrum", "Delfshaven", "Feijenoord", "Kralingen-Crooswijk", "Noord", "Charlois"],
    }
}

const INTERESTS: &[&str] = &[
    "cooking",
    "football",
    "walking",
    "cycling",
    "music",
    "gardening",
    "reading",
    "chess",
    "swimming",
    "crafts",
    "photography",
    "volunteering",
    "technology",
    "art",
    "running",
    "board games",
    "dancing",
    "fishing",
];
const SECTORS: &[&str] = &[
    "healthcare",
    "education",
    "it",
    "construction",
    "logistics",
    "hospitality",
    "retail",
    "engineering",
    "finance",
    "agriculture",
    "public sector",
    "cleaning",
    "transport",
];
const DUTCH_FIRST: &[&str] = &[
    "Anna", "Bram", "Carla", "Daan", "Eva", "Femke", "Gijs", "Hanna", "Ingrid", "Joost", "Karin", "Lars", "Marieke",
    "Noor", "Pieter", "Roos", "Sander", "Tessa", "Ulla", "Vincent", "Wim", "Yara", "Anouk", "Bas", "Lotte", "Mohamed",
    "Fatima", "Priya", "Kees", "Sanne",
];
const DUTCH_LAST: &[&str] = &[
    "de Vries",
    "Jansen",
    "van Dijk",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Koster",
    "El Amrani",
    "Yilmaz",
    "Pinas",
];
const GROUP_WORDS: &[&str] =
    &["Buren", "Welkom", "Samen", "Tafel", "Brug", "Thuis", "Kring", "Vrienden", "Haven", "Plein"];

/// Origin, weight, languages (first is the mother tongue), given names, family names.
struct Origin {
    country: &'static str,
    weight: u32,
    languages: &'static [&'static str],
    given: &'static [&'static str],
    family: &'static [&'static str],
}

const ORIGINS: &[Origin] = &[
    Origin {
        country: "SY",
        weight: 30,
        languages: &["ar", "ku"],
        given: &["Ahmad", "Rama", "Omar", "Lina", "Yusuf", "Hiba", "Khaled", "Nour"],
        family: &["Haddad", "Khalil", "Nasser", "Darwish", "Suleiman"],
    },
    Origin {
        country: "ER",
        weight: 18,
        languages: &["ti", "ar"],
        given: &["Yonas", "Senait", "Dawit", "Helen", "Filmon", "Luwam"],
        family: &["Tesfay", "Gebremedhin", "Haile", "Berhe"],
    },
    Origin {
        country: "AF",
        weight: 12,
        languages: &["fa", "ps"],
        given: &["Ahmad", "Farida", "Mohammad", "Zahra", "Hamid", "Mariam"],
        family: &["Ahmadi", "Rahimi", "Karimi", "Hakimi"],
    },
    Origin {
        country: "SO",
        weight: 8,
        languages: &["so", "ar"],
        given: &["Abdi", "Hodan", "Farah", "Amina", "Mahad"],
        family: &["Warsame", "Hassan", "Abdullahi"],
    },
    Origin {
        country: "YE",
        weight: 7,
        languages: &["ar"],
        given: &["Ali", "Samira", "Nabil", "Huda"],
        family: &["Al-Hakimi", "Saleh", "Qasim"],
    },
    Origin {
        country: "TR",
        weight: 8,
        languages: &["tr", "ku"],
        given: &["Emre", "Elif", "Mehmet", "Zeynep", "Baran"],
        family: &["Demir", "Kaya", "Aslan", "Çelik"],
    },
    Origin {
        country: "IR",
        weight: 7,
        languages: &["fa"],
        given: &["Reza", "Shirin", "Babak", "Leila", "Arash"],
        family: &["Hosseini", "Moradi", "Tehrani"],
    },
    Origin {
        country: "UA",
        weight: 10,
        languages: &["uk", "ru"],
        given: &["Olena", "Andriy", "Iryna", "Dmytro", "Oksana", "Taras"],
        family: &["Kovalenko", "Shevchenko", "Bondarenko", "Melnyk"],
    },
];

fn pick_origin(rng: &mut StdRng) -> &'static Origin {
    let total: u32 = ORIGINS.iter().map(|o| o.weight).sum();
    let mut roll = rng.random_range(0..total);
    for o in ORIGINS {
        if roll < o.weight {
            return o;
        }
        roll -= o.weight;
    }
    &ORIGINS[0]
}

fn some<'a>(rng: &mut StdRng, pool: &'a [&'a str], min: usize, max: usize) -> Vec<String> {
    let n = rng.random_range(min..=max).min(pool.len());
    let mut v: Vec<String> = pool.choose_multiple(rng, n).map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn slug_word(s: &str) -> String {
    s.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// Seeds the demo data unless it is there already, then gives every demo user a new password.
pub async fn seed(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<Vec<DemoUser>> {
    let marker = user::Entity::find().filter(user::Column::Email.eq(format!("admin@{DEMO_DOMAIN}"))).one(db).await?;
    let txn = crate::db::begin_write(db).await?;
    if marker.is_none() {
        seed_data(&txn, settings.today()).await?;
    }
    let users = reset_demo_users(&txn).await?;
    txn.commit().await?;
    Ok(users)
}

/// Generated rows of one city, ready to insert.
struct CityRows {
    groups: Vec<welcome_group::ActiveModel>,
    members: Vec<group_member::ActiveModel>,
    newcomers: Vec<newcomer::ActiveModel>,
}

/// Generates `n_groups` groups of 5-8 members (one coordinator each; a share `ready` of them
/// READY, the rest FORMING) and `n_newcomers` WAITING households for `city`.
fn generate(
    rng: &mut StdRng,
    city: &str,
    n_groups: usize,
    n_newcomers: usize,
    ready: f64,
    today: NaiveDate,
) -> CityRows {
    let now = Utc::now();
    let year = today.year();
    let hoods = neighbourhoods(city);
    let mut groups = Vec::with_capacity(n_groups);
    let mut members = Vec::with_capacity(n_groups * 7);
    for gi in 0..n_groups {
        let id = new_id();
        let first_member = members.len();
        let size = rng.random_range(5..=8);
        let coordinator = rng.random_range(0..size);
        let mut g_langs = vec!["nl".to_string()];
        let mut g_interests: Vec<String> = Vec::new();
        for mi in 0..size {
            let first = *DUTCH_FIRST.choose(rng).unwrap_or(&"Anna");
            let last = *DUTCH_LAST.choose(rng).unwrap_or(&"Jansen");
            let mut langs = vec!["nl".to_string()];
            if rng.random_bool(0.8) {
                langs.push("en".into());
            }
            if rng.random_bool(0.12) {
                langs
                    .push((*["ar", "tr", "fa", "uk", "fr", "de", "ti", "so"].choose(rng).unwrap_or(&"fr")).to_string());
            }
            langs.sort();
            langs.dedup();
            let interests = some(rng, INTERESTS, 1, 4);
            g_langs.extend(langs.iter().cloned());
            g_interests.extend(interests.iter().cloned());
            let vog =
                if rng.random_bool(0.85) { Some(today - Duration::days(rng.random_range(10..400))) } else { None };
            members.push(group_member::ActiveModel {
                id: Set(new_id()),
                group_id: Set(id.clone()),
                name: Set(format!("{first} {last}")),
                email: Set(format!("{}.{}.{gi}{mi}@example.org", slug_word(first), slug_word(last))),
                phone: Set(Some(format!("+31 6 {:08}", rng.random_range(10_000_000..99_999_999)))),
                birth_year: Set(year - rng.random_range(20..76)),
                languages: Set(StringList(langs)),
                interests: Set(StringList(interests)),
                sector: Set(rng.random_bool(0.8).then(|| SECTORS.choose(rng).map(|s| s.to_string())).flatten()),
                is_coordinator: Set(mi == coordinator),
                vog_received_on: Set(vog),
                created_at: Set(now),
                erased_at: Set(None),
                email_index: Set(String::new()),
                research_consent_at: Set((mi % 3 != 2).then_some(now)),
                research_consent_version: Set((mi % 3 != 2).then(|| "research-2026-01".to_owned())),
            });
        }
        g_langs.sort();
        g_langs.dedup();
        g_interests.sort();
        g_interests.dedup();
        let hood = *hoods.choose(rng).unwrap_or(&"Centrum");
        let word = *GROUP_WORDS.choose(rng).unwrap_or(&"Samen");
        let status = if rng.random_bool(ready) { GroupStatus::Ready } else { GroupStatus::Forming };
        // A READY group passed its screening: every member's certificate of conduct, the
        // intake conversation and the preparation meeting (no draws: the same data as before).
        let screened = status == GroupStatus::Ready;
        if screened {
            for m in &mut members[first_member..] {
                if matches!(&m.vog_received_on, Set(None)) {
                    m.vog_received_on = Set(Some(today - Duration::days(30 + gi as i64 % 60)));
                }
            }
        }
        groups.push(welcome_group::ActiveModel {
            created_by: Set(None),
            id: Set(id),
            city_slug: Set(city.to_string()),
            name: Set(format!("{word} {hood} {}", gi + 1)),
            neighbourhood: Set(Some(hood.to_string())),
            intake_held_on: Set(screened.then(|| today - Duration::days(60 + gi as i64 % 30))),
            preparation_attended_on: Set(screened.then(|| today - Duration::days(40 + gi as i64 % 20))),
            cycle: Set(1),
            status: Set(status),
            capacity: Set(rng.random_range(1..=7)),
            languages: Set(StringList(g_langs)),
            interests: Set(StringList(g_interests)),
            availability_hours_per_month: Set(Some(rng.random_range(4..=24))),
            preferences: Set(None),
            status_reason: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        });
    }

    let mut newcomers = Vec::with_capacity(n_newcomers);
    for ni in 0..n_newcomers {
        let origin = pick_origin(rng);
        let given = *origin.given.choose(rng).unwrap_or(&"Sam");
        let family = *origin.family.choose(rng).unwrap_or(&"Doe");
        let mut languages: Vec<LanguageSkill> =
            vec![LanguageSkill { code: origin.languages[0].to_string(), level: "native".into() }];
        for extra in &origin.languages[1..] {
            if rng.random_bool(0.4) {
                languages.push(LanguageSkill { code: extra.to_string(), level: "fluent".into() });
            }
        }
        if rng.random_bool(0.45) {
            languages.push(LanguageSkill {
                code: "en".into(),
                level: if rng.random_bool(0.5) { "fluent" } else { "basic" }.into(),
            });
        }
        languages.sort_by(|a, b| a.code.cmp(&b.code));
        let dutch = *[CefrLevel::A0, CefrLevel::A1, CefrLevel::A1, CefrLevel::A2, CefrLevel::A2, CefrLevel::B1]
            .choose(rng)
            .unwrap_or(&CefrLevel::A1);
        let shape = rng.random_range(0..10);
        let (adults, mut children): (i32, Vec<i32>) = match shape {
            0..=3 => (1, vec![]),
            4..=5 => (2, vec![]),
            6..=8 => (2, (0..rng.random_range(1..=4)).map(|_| rng.random_range(0..18)).collect()),
            _ => (1, (0..rng.random_range(1..=3)).map(|_| rng.random_range(0..18)).collect()),
        };
        children.sort_unstable_by(|a, b| b.cmp(a));
        let mut goals = some(rng, &["work", "study", "language", "social_network", "practical_matters"], 1, 3);
        if !goals.contains(&"language".to_string()) && rng.random_bool(0.6) {
            goals.push("language".into());
            goals.sort();
        }
        let gender = if rng.random_bool(0.5) { Gender::Female } else { Gender::Male };
        let gender = if rng.random_bool(0.04) { Gender::Undisclosed } else { gender };
        let waited = rng.random_range(5..300);
        let arrival = today - Duration::days(waited + rng.random_range(30..500));
        let share = rng.random_bool(0.7);
        newcomers.push(newcomer::ActiveModel {
            registered_by: Set(None),
            idempotency_fingerprint: Set(None),
            // Dated when it was registered, so that id order is registration order here too.
            id: Set(crate::new_id_at(now - Duration::days(waited))),
            city_slug: Set(city.to_string()),
            name: Set(format!("{given} {family}")),
            preferred_name: Set(given.to_string()),
            email: Set(rng.random_bool(0.7).then(|| {
                format!("{}.{}{}@example.org", slug_word(given), slug_word(family), rng.random_range(1..999))
            })),
            phone: Set(Some(format!("+31 6 {:08}", rng.random_range(10_000_000..99_999_999)))),
            birth_year: Set(year - rng.random_range(18..65)),
            gender: Set(gender),
            country_of_origin: Set(origin.country.to_string()),
            languages: Set(LanguageSkills(languages)),
            dutch_level: Set(dutch),
            interests: Set(StringList(some(rng, INTERESTS, 1, 4))),
            sector: Set(rng.random_bool(0.7).then(|| SECTORS.choose(rng).map(|s| s.to_string())).flatten()),
            education: Set(Some(
                (*["primary school", "secondary school", "vocational", "bachelor", "master"]
                    .choose(rng)
                    .unwrap_or(&"secondary school"))
                .to_string(),
            )),
            goals: Set(StringList(goals)),
            household_adults: Set(adults),
            children_ages: Set(IntList(children)),
            arrival_date: Set(arrival),
            neighbourhood: Set(Some(hoods.choose(rng).unwrap_or(&"Centrum").to_string())),
            needs: Set(None),
            share_contact_with_group: Set(share),
            consent_date: Set(Some(today - Duration::days(waited))),
            // The baseline taken at registration, for most households.
            baseline_network_size: Set(Some(rng.random_range(0..12))),
            baseline_work_status: Set(Some(
                (*["NONE", "SEARCHING", "VOLUNTEERING", "EDUCATION"].choose(rng).unwrap_or(&"NONE")).to_owned(),
            )),
            baseline_dutch_level: Set(Some(dutch)),
            baseline_wellbeing: Set(Some(rng.random_range(1..=5))),
            baseline_recorded_on: Set(Some(today - Duration::days(waited))),
            privacy_notice_version: Set(Some("2026-01".into())),
            status: Set(NewcomerStatus::Waiting),
            status_reason: Set(None),
            waiting_since: Set(now - Duration::days(waited)),
            // Confirmed by staff within the last month, so the demo's rounds have candidates.
            confirmed_at: Set(Some(now - Duration::days(waited % 30))),
            idempotency_key: Set(None),
            erased_at: Set(None),
            // Three in four gave research consent too (by position, so the generated people
            // stay what they were).
            research_consent_at: Set((ni % 4 != 3).then(|| now - Duration::days(waited))),
            research_consent_version: Set((ni % 4 != 3).then(|| "research-2026-01".to_owned())),
            version: Set(1),
            created_at: Set(now - Duration::days(waited)),
            updated_at: Set(now),
        });
    }
    newcomers.shuffle(rng);
    CityRows { groups, members, newcomers }
}

async fn insert(conn: &impl ConnectionTrait, rows: CityRows) -> anyhow::Result<()> {
    // Batches keep each statement under the databases' parameter limits.
    for chunk in rows.groups.chunks(200) {
        welcome_group::Entity::insert_many(chunk.to_vec()).exec(conn).await?;
    }
    for chunk in rows.members.chunks(200) {
        group_member::Entity::insert_many(chunk.to_vec()).exec(conn).await?;
    }
    for chunk in rows.newcomers.chunks(100) {
        newcomer::Entity::insert_many(chunk.to_vec()).exec(conn).await?;
    }
    Ok(())
}

async fn seed_data(conn: &impl ConnectionTrait, today: NaiveDate) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let (mut groups_total, mut newcomers_total) = (0, 0);
    for city in CITIES {
        let n_groups = rng.random_range(38..=42);
        let n_newcomers = rng.random_range(48..=52);
        let rows = generate(&mut rng, city, n_groups, n_newcomers, 0.85, today);
        groups_total += rows.groups.len();
        newcomers_total += rows.newcomers.len();
        insert(conn, rows).await?;
        year_together(conn, &mut rng, city, today).await?;
    }
    audit::record(
        conn,
        None,
        audit::Entry {
            action: "demo.seed",
            entity_type: "database",
            entity_id: "demo",
            city: None,
            details: serde_json::json!({ "groups": groups_total, "newcomers": newcomers_total, "seed": SEED }),
        },
    )
    .await
    .map_err(AppError::into_anyhow)?;
    Ok(())
}

/// Matches at every stage, so statistics and criterion outcomes show something: pairs from an
/// exact round under the city's shipped script, some ACTIVE (started 1-11 months ago), some
/// COMPLETED, some ENDED_EARLY, with activities and the check-ins that fell due. Satisfaction
/// leans on how well the pair scored, so the outcomes have a pattern to find.
async fn year_together(
    conn: &impl ConnectionTrait,
    rng: &mut StdRng,
    city: &str,
    today: NaiveDate,
) -> anyhow::Result<()> {
    use crate::matching::round::{RoundParams, propose};
    use crate::script_values as values;
    use entity::{MatchStatus, activity_log, check_in, matches};
    use scripting::{CompiledScript, shipped};

    let cands = crate::candidates::load(conn, city, None).await.map_err(AppError::into_anyhow)?;
    let script = CompiledScript::compile(shipped::for_city(city))
        .map_err(|p| anyhow::anyhow!("shipped script of {city}: {p:?}"))?;
    let (ns, gs) = cands.script_values(today);
    let proposal = propose(&script, &ns, &gs, &RoundParams::default()).map_err(AppError::into_anyhow)?;
    let now = Utc::now();
    let kinds = ["MEAL", "LANGUAGE_PRACTICE", "LETTERS_AND_ADMIN", "WORK_AND_EDUCATION", "SOCIAL_OUTING", "OTHER"];
    let levels = domain::enums::CefrLevel::ALL;
    let reasons = ["NO_CONNECTION", "NEWCOMER_MOVED", "GROUP_REQUEST", "NEWCOMER_REQUEST"];
    let mean_score = proposal.pairs.iter().map(|p| p.2).sum::<i64>() as f64 / proposal.pairs.len().max(1) as f64;
    // The demo's matches come from one decided round of the shipped script.
    let source = shipped::for_city(city);
    let earliest = today.checked_sub_months(chrono::Months::new(21)).unwrap_or(today);
    let run_at = earliest.and_hms_opt(9, 0, 0).map(|t| t.and_utc()).unwrap_or(now);
    let run_id = crate::new_id_at(run_at);
    entity::matching_run::ActiveModel {
        id: Set(run_id.clone()),
        city_slug: Set(city.to_owned()),
        status: Set(entity::RunStatus::Decided),
        script_version: Set(1),
        script_sha256: Set(scripting::sha256_hex(source)),
        objective: Set("MAX_MATCHES_THEN_SCORE".into()),
        parameters: Set(serde_json::json!({ "locked": [], "excluded": [] })),
        newcomer_count: Set(cands.newcomers.len() as i32),
        group_count: Set(cands.groups.len() as i32),
        eligible_pairs: Set(proposal.scores.eligible_pairs() as i64),
        matched_count: Set(proposal.pairs.len().min(24) as i32),
        total_score: Set(proposal.pairs.iter().take(24).map(|p| p.2).sum()),
        greedy_total_score: Set(proposal.greedy_total),
        inputs_hash: Set(String::new()),
        duration_ms: Set(0),
        score_ms: Set(proposal.score_ms as i64),
        solve_ms: Set(proposal.solve_ms as i64),
        pairs: Set(serde_json::json!([])),
        unmatched: Set(serde_json::json!([])),
        quality: Set(crate::run_record::to_json(&crate::run_record::Quality::default()).map_err(AppError::into_anyhow)?),
        created_by: Set(None),
        created_at: Set(run_at),
    }
    .insert(conn)
    .await?;
    // The round's pairs as a real round stores them, each with the match it became.
    let mut stored_pairs = Vec::new();
    for (i, &(row, col, _)) in proposal.pairs.iter().take(24).enumerate() {
        let n = &cands.newcomers[row];
        let g = &cands.groups[col].group;
        let mut scope = rhai::Scope::new();
        let scored = script.score(&mut scope, &ns[row], &gs[col]).map_err(|p| anyhow::anyhow!("{p:?}"))?;
        let (status, months_ago) = match i % 12 {
            0..=5 => (MatchStatus::Active, rng.random_range(1..=11)),
            6..=8 => (MatchStatus::Completed, rng.random_range(13..=20)),
            _ => (MatchStatus::EndedEarly, rng.random_range(4..=10)),
        };
        let start = today.checked_sub_months(chrono::Months::new(months_ago)).unwrap_or(today);
        let planned_end = start.checked_add_months(chrono::Months::new(12)).unwrap_or(today);
        let end_date = match status {
            MatchStatus::Completed => Some(planned_end),
            MatchStatus::EndedEarly => Some(start + Duration::days(rng.random_range(60..110))),
            _ => None,
        };
        let last_day = end_date.unwrap_or(today).min(today);
        let good = (scored.total as f64 / mean_score.max(1.0)).clamp(0.5, 1.5);
        // Proposed two weeks before the introduction: a proposal comes before its start.
        let proposed_at = (start - Duration::days(21)).and_hms_opt(10, 0, 0).map(|t| t.and_utc()).unwrap_or(now);
        let match_id = crate::new_id_at(proposed_at);
        matches::ActiveModel {
            id: Set(match_id.clone()),
            city_slug: Set(city.to_owned()),
            newcomer_id: Set(n.id.clone()),
            group_id: Set(g.id.clone()),
            run_id: Set(Some(run_id.clone())),
            status: Set(status),
            score: Set(scored.total),
            explanation: Set(crate::matches::Proposed::explanation(&scored.parts)),
            introduction_date: Set(Some(start - Duration::days(7))),
            start_date: Set(Some(start)),
            planned_end_date: Set(Some(planned_end)),
            end_date: Set(end_date),
            end_reason_code: Set((status == MatchStatus::EndedEarly).then(|| reasons[i % reasons.len()].to_owned())),
            end_reason: Set((status == MatchStatus::EndedEarly).then(|| "recorded in the demo data".to_owned())),
            start_dutch_level: Set(Some(n.dutch_level)),
            decided_by: Set(None),
            decided_side: Set((status == MatchStatus::EndedEarly).then(|| "STAFF".to_owned())),
            decline_code: Set(None),
            proposable_again_on: Set(None),
            community_builder_id: Set(None),
            override_reason: Set(None),
            created_by: Set(None),
            created_at: Set(proposed_at),
            updated_at: Set(now),
        }
        .insert(conn)
        .await?;
        stored_pairs.push(crate::run_record::StoredPair {
            newcomer_id: n.id.clone(),
            group_id: g.id.clone(),
            score: scored.total,
            parts: crate::run_record::explanation(&crate::matches::Proposed::explanation(&scored.parts))
                .map_err(AppError::into_anyhow)?,
            match_id: Some(match_id.clone()),
            overridden: false,
        });
        let (n_status, g_status) = match status {
            MatchStatus::Active => (NewcomerStatus::Matched, GroupStatus::Matched),
            MatchStatus::Completed => (NewcomerStatus::Completed, GroupStatus::Completed),
            _ => (NewcomerStatus::Waiting, GroupStatus::Ready),
        };
        newcomer::Entity::update_many()
            .set(newcomer::ActiveModel { status: Set(n_status), ..Default::default() })
            .filter(newcomer::Column::Id.eq(n.id.as_str()))
            .exec(conn)
            .await?;
        welcome_group::Entity::update_many()
            .set(welcome_group::ActiveModel { status: Set(g_status), ..Default::default() })
            .filter(welcome_group::Column::Id.eq(g.id.as_str()))
            .exec(conn)
            .await?;
        let days = (last_day - start).num_days().max(1);
        let mut acts = Vec::new();
        for _ in 0..(days / 14).max(1) {
            acts.push(activity_log::ActiveModel {
                id: Set(new_id()),
                match_id: Set(match_id.clone()),
                city_slug: Set(city.to_owned()),
                date: Set(start + Duration::days(rng.random_range(0..days))),
                kind: Set(kinds[rng.random_range(0..kinds.len())].to_owned()),
                duration_minutes: Set(rng.random_range(30..240)),
                participants: Set(rng.random_range(2..8)),
                notes: Set(None),
                logged_by: Set("demo".to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        for chunk in acts.chunks(100) {
            activity_log::Entity::insert_many(chunk.to_vec()).exec(conn).await?;
        }
        let start_rank = scripting::api::cefr_rank(values::cefr(n.dutch_level)) as usize;
        for (k, month) in [3u32, 6, 12].into_iter().enumerate() {
            let due = start.checked_add_months(chrono::Months::new(month)).unwrap_or(today);
            if due > last_day {
                break;
            }
            let sat = |rng: &mut StdRng| {
                ((3.4 + 2.0 * (good - 1.0) + rng.random_range(-1.0..1.0)).round() as i32).clamp(1, 5)
            };
            check_in::ActiveModel {
                id: Set(new_id()),
                match_id: Set(match_id.clone()),
                city_slug: Set(city.to_owned()),
                month: Set(month as i32),
                newcomer_satisfaction: Set(sat(rng)),
                group_satisfaction: Set(sat(rng)),
                dutch_level: Set(levels[(start_rank + k + usize::from(good > 1.0)).min(levels.len() - 1)].into()),
                work_status: Set(["NONE", "SEARCHING", "VOLUNTEERING", "EDUCATION", "PART_TIME_WORK"]
                    [rng.random_range(0..5)]
                .to_owned()),
                network_size: Set((good * rng.random_range(3.0..12.0) * (k + 1) as f64) as i32),
                notes: Set(None),
                recorded_by: Set("demo".to_owned()),
                created_at: Set(now),
            }
            .insert(conn)
            .await?;
        }
    }
    entity::matching_run::Entity::update_many()
        .set(entity::matching_run::ActiveModel {
            pairs: Set(crate::run_record::to_json(&stored_pairs).map_err(AppError::into_anyhow)?),
            ..Default::default()
        })
        .filter(entity::matching_run::Column::Id.eq(run_id.as_str()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Bulk synthetic data for benchmarks: `newcomers` WAITING households and `groups` READY
/// groups in `city`, generated from `seed`.
pub async fn bulk(
    db: &DatabaseConnection,
    settings: &Settings,
    city: &str,
    newcomers: usize,
    groups: usize,
    seed: u64,
) -> anyhow::Result<()> {
    if entity::city::Entity::find_by_id(city).one(db).await?.is_none() {
        anyhow::bail!("there is no city {city:?}");
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let rows = generate(&mut rng, city, groups, newcomers, 1.0, settings.today());
    let txn = crate::db::begin_write(db).await?;
    insert(&txn, rows).await?;
    audit::record(
        &txn,
        None,
        audit::Entry {
            action: "bulk.seed",
            entity_type: "database",
            entity_id: city,
            city: Some(city),
            details: serde_json::json!({ "groups": groups, "newcomers": newcomers, "seed": seed }),
        },
    )
    .await
    .map_err(AppError::into_anyhow)?;
    txn.commit().await?;
    Ok(())
}

fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// Creates the five demo users (one per role) if missing and sets fresh passwords.
async fn reset_demo_users(conn: &impl ConnectionTrait) -> anyhow::Result<Vec<DemoUser>> {
    // The demo coordinator leads a group in an active match, so logging activities and
    // check-ins can be tried at once.
    let mut coordinator_group = None;
    for status in [GroupStatus::Matched, GroupStatus::Ready] {
        if coordinator_group.is_none() {
            coordinator_group = welcome_group::Entity::find()
                .filter(welcome_group::Column::CitySlug.eq("almere"))
                .filter(welcome_group::Column::Status.eq(status))
                .one(conn)
                .await?
                .map(|g| g.id);
        }
    }
    let specs: [(&str, Role, Option<&str>, Option<String>); 6] = [
        ("admin", Role::Admin, None, None),
        ("cityadmin.almere", Role::CityAdmin, Some("almere"), None),
        ("builder.almere", Role::CommunityBuilder, Some("almere"), None),
        ("coordinator.almere", Role::Coordinator, Some("almere"), coordinator_group),
        ("analyst", Role::Analyst, None, None),
        ("partner.almere", Role::Partner, Some("almere"), None),
    ];
    let mut out = Vec::new();
    for (local, role, city, group) in specs {
        let email = format!("{local}@{DEMO_DOMAIN}");
        let password_text = random_password();
        let pw = password_text.clone();
        let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
            .await?
            .map_err(|e| anyhow::anyhow!("hashing a demo password failed: {e:?}"))?;
        match user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(conn).await? {
            Some(existing) => {
                let mut am: user::ActiveModel = existing.into();
                am.password_hash = Set(hash);
                am.update(conn).await?;
            }
            None => {
                user::ActiveModel {
                    id: Set(new_id()),
                    email: Set(email.clone()),
                    password_hash: Set(hash),
                    role: Set(role),
                    city_slug: Set(city.map(str::to_owned)),
                    member_id: Set(users::member_for(conn, role, group.as_deref())
                        .await
                        .map_err(AppError::into_anyhow)?),
                    group_id: Set(group),
                    created_at: Set(Utc::now()),
                    disabled_at: Set(None),
                    last_sign_in_at: Set(None),
                    language: Set(None),
                }
                .insert(conn)
                .await?;
            }
        }
        out.push(DemoUser { email, role: users::role_code(role), password: password_text });
    }
    // The demo community builder supports three of Almere's active matches.
    use entity::{MatchStatus, matches};
    if let Some(builder) =
        user::Entity::find().filter(user::Column::Email.eq(format!("builder.almere@{DEMO_DOMAIN}"))).one(conn).await?
    {
        let supported = matches::Entity::find()
            .filter(matches::Column::CitySlug.eq("almere"))
            .filter(matches::Column::Status.eq(MatchStatus::Active))
            .order_by_asc(matches::Column::Id)
            .limit(3)
            .all(conn)
            .await?;
        for m in supported {
            let mut am: matches::ActiveModel = m.into();
            am.community_builder_id = Set(Some(builder.id.clone()));
            am.update(conn).await?;
        }
    }
    Ok(out)
}

/// The demo's export policy: when none was ever proposed, the demo administrator proposes one
/// with the server's k and adopts it, so the analysis screen's downloads work at once. A real
/// installation does this by hand (README, "For analysts").
pub async fn adopt_export_policy(
    db: &DatabaseConnection,
    settings: &Settings,
    master: &crate::export::ExportKey,
) -> anyhow::Result<()> {
    if !crate::export::policy::list(db).await.map_err(AppError::into_anyhow)?.is_empty() {
        return Ok(());
    }
    let Some(admin) =
        user::Entity::find().filter(user::Column::Email.eq(format!("admin@{DEMO_DOMAIN}"))).one(db).await?
    else {
        return Ok(());
    };
    let p = domain::policy::Principal {
        user_id: admin.id,
        role: domain::enums::Role::Admin,
        city: None,
        group: None,
        supported: None,
    };
    let today = settings.today();
    let proposal = crate::export::policy::propose(
        db,
        Some(&p),
        crate::export::datasets::Ask::standard(settings.export_k),
        Some("the demo's policy".into()),
        today,
    )
    .await
    .map_err(AppError::into_anyhow)?;
    crate::export::policy::adopt(db, &p, master, proposal.version, today).await.map_err(AppError::into_anyhow)?;
    Ok(())
}

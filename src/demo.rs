//! Synthetic demo data: for each city about 40 welcome groups of 5-8 members (one
//! coordinator each) and about 50 newcomer households of varied origin, languages, Dutch
//! levels, household shapes and goals. Generated from a fixed seed, so every fresh demo
//! database holds the same people; none of them exist. Seeded once; on every start with
//! `--demo` the demo users get new passwords, printed once.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use entity::{
    CefrLevel, Gender, GroupStatus, IntList, LanguageSkill, LanguageSkills, NewcomerStatus, Role, StringList, group_member,
    newcomer, user, welcome_group,
};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::auth::password;
use crate::config::Settings;
use crate::error::AppError;
use crate::services::{audit, new_id, users};

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
    "cooking", "football", "walking", "cycling", "music", "gardening", "reading", "chess", "swimming", "crafts",
    "photography", "volunteering", "technology", "art", "running", "board games", "dancing", "fishing",
];
const SECTORS: &[&str] = &[
    "healthcare", "education", "it", "construction", "logistics", "hospitality", "retail", "engineering", "finance",
    "agriculture", "public sector", "cleaning", "transport",
];
const DUTCH_FIRST: &[&str] = &[
    "Anna", "Bram", "Carla", "Daan", "Eva", "Femke", "Gijs", "Hanna", "Ingrid", "Joost", "Karin", "Lars", "Marieke",
    "Noor", "Pieter", "Roos", "Sander", "Tessa", "Ulla", "Vincent", "Wim", "Yara", "Anouk", "Bas", "Lotte", "Mohamed",
    "Fatima", "Priya", "Kees", "Sanne",
];
const DUTCH_LAST: &[&str] = &[
    "de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
    "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Koster", "El Amrani",
    "Yilmaz", "Pinas",
];
const GROUP_WORDS: &[&str] = &[
    "Buren", "Welkom", "Samen", "Tafel", "Brug", "Thuis", "Kring", "Vrienden", "Haven", "Plein",
];

/// Origin, weight, languages (first is the mother tongue), given names, family names.
struct Origin {
    country: &'static str,
    weight: u32,
    languages: &'static [&'static str],
    given: &'static [&'static str],
    family: &'static [&'static str],
}

const ORIGINS: &[Origin] = &[
    Origin { country: "SY", weight: 30, languages: &["ar", "ku"], given: &["Ahmad", "Rama", "Omar", "Lina", "Yusuf", "Hiba", "Khaled", "Nour"], family: &["Haddad", "Khalil", "Nasser", "Darwish", "Suleiman"] },
    Origin { country: "ER", weight: 18, languages: &["ti", "ar"], given: &["Yonas", "Senait", "Dawit", "Helen", "Filmon", "Luwam"], family: &["Tesfay", "Gebremedhin", "Haile", "Berhe"] },
    Origin { country: "AF", weight: 12, languages: &["fa", "ps"], given: &["Ahmad", "Farida", "Mohammad", "Zahra", "Hamid", "Mariam"], family: &["Ahmadi", "Rahimi", "Karimi", "Hakimi"] },
    Origin { country: "SO", weight: 8, languages: &["so", "ar"], given: &["Abdi", "Hodan", "Farah", "Amina", "Mahad"], family: &["Warsame", "Hassan", "Abdullahi"] },
    Origin { country: "YE", weight: 7, languages: &["ar"], given: &["Ali", "Samira", "Nabil", "Huda"], family: &["Al-Hakimi", "Saleh", "Qasim"] },
    Origin { country: "TR", weight: 8, languages: &["tr", "ku"], given: &["Emre", "Elif", "Mehmet", "Zeynep", "Baran"], family: &["Demir", "Kaya", "Aslan", "Çelik"] },
    Origin { country: "IR", weight: 7, languages: &["fa"], given: &["Reza", "Shirin", "Babak", "Leila", "Arash"], family: &["Hosseini", "Moradi", "Tehrani"] },
    Origin { country: "UA", weight: 10, languages: &["uk", "ru"], given: &["Olena", "Andriy", "Iryna", "Dmytro", "Oksana", "Taras"], family: &["Kovalenko", "Shevchenko", "Bondarenko", "Melnyk"] },
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

async fn seed_data(conn: &impl ConnectionTrait, today: NaiveDate) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let now = Utc::now();
    let year = today.year();
    let mut groups_total = 0;
    let mut newcomers_total = 0;
    for city in CITIES {
        let hoods = neighbourhoods(city);
        let n_groups = rng.random_range(38..=42);
        let mut groups = Vec::new();
        let mut members = Vec::new();
        for gi in 0..n_groups {
            let id = new_id();
            let size = rng.random_range(5..=8);
            let coordinator = rng.random_range(0..size);
            let mut g_langs = vec!["nl".to_string()];
            let mut g_interests: Vec<String> = Vec::new();
            for mi in 0..size {
                let first = *DUTCH_FIRST.choose(&mut rng).unwrap_or(&"Anna");
                let last = *DUTCH_LAST.choose(&mut rng).unwrap_or(&"Jansen");
                let mut langs = vec!["nl".to_string()];
                if rng.random_bool(0.8) {
                    langs.push("en".into());
                }
                if rng.random_bool(0.12) {
                    langs.push((*["ar", "tr", "fa", "uk", "fr", "de", "ti", "so"].choose(&mut rng).unwrap_or(&"fr")).to_string());
                }
                langs.sort();
                langs.dedup();
                let interests = some(&mut rng, INTERESTS, 1, 4);
                g_langs.extend(langs.iter().cloned());
                g_interests.extend(interests.iter().cloned());
                let vog = if rng.random_bool(0.85) { Some(today - Duration::days(rng.random_range(10..400))) } else { None };
                members.push(group_member::ActiveModel {
                    id: Set(new_id()),
                    group_id: Set(id.clone()),
                    name: Set(format!("{first} {last}")),
                    email: Set(format!("{}.{}.{gi}{mi}@example.org", slug_word(first), slug_word(last))),
                    phone: Set(Some(format!("+31 6 {:08}", rng.random_range(10_000_000..99_999_999)))),
                    birth_year: Set(year - rng.random_range(20..76)),
                    languages: Set(StringList(langs)),
                    interests: Set(StringList(interests)),
                    sector: Set(rng.random_bool(0.8).then(|| SECTORS.choose(&mut rng).map(|s| s.to_string())).flatten()),
                    is_coordinator: Set(mi == coordinator),
                    vog_received_on: Set(vog),
                    created_at: Set(now),
                });
            }
            g_langs.sort();
            g_langs.dedup();
            g_interests.sort();
            g_interests.dedup();
            let hood = *hoods.choose(&mut rng).unwrap_or(&"Centrum");
            let word = *GROUP_WORDS.choose(&mut rng).unwrap_or(&"Samen");
            groups.push(welcome_group::ActiveModel {
                id: Set(id),
                city_slug: Set(city.to_string()),
                name: Set(format!("{word} {hood} {}", gi + 1)),
                neighbourhood: Set(Some(hood.to_string())),
                status: Set(if rng.random_bool(0.85) { GroupStatus::Ready } else { GroupStatus::Forming }),
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
        groups_total += groups.len();
        welcome_group::Entity::insert_many(groups).exec(conn).await?;
        for chunk in members.chunks(200) {
            group_member::Entity::insert_many(chunk.to_vec()).exec(conn).await?;
        }

        let n_newcomers = rng.random_range(48..=52);
        let mut newcomers = Vec::new();
        for _ in 0..n_newcomers {
            let origin = pick_origin(&mut rng);
            let given = *origin.given.choose(&mut rng).unwrap_or(&"Sam");
            let family = *origin.family.choose(&mut rng).unwrap_or(&"Doe");
            let mut languages: Vec<LanguageSkill> =
                vec![LanguageSkill { code: origin.languages[0].to_string(), level: "native".into() }];
            for extra in &origin.languages[1..] {
                if rng.random_bool(0.4) {
                    languages.push(LanguageSkill { code: extra.to_string(), level: "fluent".into() });
                }
            }
            if rng.random_bool(0.45) {
                languages.push(LanguageSkill { code: "en".into(), level: if rng.random_bool(0.5) { "fluent" } else { "basic" }.into() });
            }
            languages.sort_by(|a, b| a.code.cmp(&b.code));
            let dutch = *[CefrLevel::A0, CefrLevel::A1, CefrLevel::A1, CefrLevel::A2, CefrLevel::A2, CefrLevel::B1]
                .choose(&mut rng)
                .unwrap_or(&CefrLevel::A1);
            let shape = rng.random_range(0..10);
            let (adults, children): (i32, Vec<i32>) = match shape {
                0..=3 => (1, vec![]),
                4..=5 => (2, vec![]),
                6..=8 => (2, (0..rng.random_range(1..=4)).map(|_| rng.random_range(0..18)).collect()),
                _ => (1, (0..rng.random_range(1..=3)).map(|_| rng.random_range(0..18)).collect()),
            };
            let mut children = children;
            children.sort_unstable_by(|a, b| b.cmp(a));
            let mut goals = some(&mut rng, &["work", "study", "language", "social_network", "practical_matters"], 1, 3);
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
                id: Set(new_id()),
                city_slug: Set(city.to_string()),
                name: Set(format!("{given} {family}")),
                preferred_name: Set(given.to_string()),
                email: Set(rng.random_bool(0.7).then(|| format!("{}.{}{}@example.org", slug_word(given), slug_word(family), rng.random_range(1..999)))),
                phone: Set(Some(format!("+31 6 {:08}", rng.random_range(10_000_000..99_999_999)))),
                birth_year: Set(year - rng.random_range(18..65)),
                gender: Set(gender),
                country_of_origin: Set(origin.country.to_string()),
                languages: Set(LanguageSkills(languages)),
                dutch_level: Set(dutch),
                interests: Set(StringList(some(&mut rng, INTERESTS, 1, 4))),
                sector: Set(rng.random_bool(0.7).then(|| SECTORS.choose(&mut rng).map(|s| s.to_string())).flatten()),
                education: Set(Some((*["primary school", "secondary school", "vocational", "bachelor", "master"].choose(&mut rng).unwrap_or(&"secondary school")).to_string())),
                goals: Set(StringList(goals)),
                household_adults: Set(adults),
                children_ages: Set(IntList(children)),
                arrival_date: Set(arrival),
                neighbourhood: Set(Some(hoods.choose(&mut rng).unwrap_or(&"Centrum").to_string())),
                needs: Set(None),
                share_contact_with_group: Set(share),
                consent_date: Set(Some(today - Duration::days(waited))),
                privacy_notice_version: Set(Some("2026-01".into())),
                status: Set(NewcomerStatus::Waiting),
                status_reason: Set(None),
                waiting_since: Set(now - Duration::days(waited)),
                idempotency_key: Set(None),
                version: Set(1),
                created_at: Set(now - Duration::days(waited)),
                updated_at: Set(now),
            });
        }
        newcomers.shuffle(&mut rng);
        newcomers_total += newcomers.len();
        newcomer::Entity::insert_many(newcomers).exec(conn).await?;
    }
    audit::record(conn, None, audit::Entry {
        action: "demo.seed",
        entity_type: "database",
        entity_id: "demo",
        city: None,
        details: serde_json::json!({ "groups": groups_total, "newcomers": newcomers_total, "seed": SEED }),
    })
    .await
    .map_err(AppError::into_anyhow)?;
    Ok(())
}

fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// Creates the five demo users (one per role) if missing and sets fresh passwords.
async fn reset_demo_users(conn: &impl ConnectionTrait) -> anyhow::Result<Vec<DemoUser>> {
    let coordinator_group = welcome_group::Entity::find()
        .filter(welcome_group::Column::CitySlug.eq("almere"))
        .filter(welcome_group::Column::Status.eq(GroupStatus::Ready))
        .one(conn)
        .await?
        .map(|g| g.id);
    let specs: [(&str, Role, Option<&str>, Option<String>); 5] = [
        ("admin", Role::Admin, None, None),
        ("cityadmin.almere", Role::CityAdmin, Some("almere"), None),
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
                    group_id: Set(group),
                    created_at: Set(Utc::now()),
                }
                .insert(conn)
                .await?;
            }
        }
        out.push(DemoUser { email, role: users::role_code(role), password: password_text });
    }
    Ok(out)
}

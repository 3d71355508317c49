//! Generalisation of quasi-identifiers and k-anonymity by local recoding: every row starts at
//! the finest published level; the rows of an equivalence class (same published values) with
//! fewer than k rows move one level coarser, and so on; whatever is still in a class below k at
//! the coarsest level is suppressed. Pure functions over a histogram of the rows' raw facts, so
//! an export needs memory for the distinct combinations only, not for its rows.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{Datelike, NaiveDate};

use super::regions::REGIONS;

/// What the planner decided for each raw combination: its published values, or suppression.
pub struct Plan<K> {
    decisions: HashMap<K, Option<Vec<String>>>,
    /// Rows withheld because no level made their class large enough.
    pub suppressed: usize,
    /// Rows published.
    pub kept: usize,
}

impl<K: Eq + Hash> Plan<K> {
    /// The published quasi-identifiers of a row with facts `key`; `None` when suppressed or
    /// when the row was not in the histogram (it changed after planning: withheld to be safe).
    pub fn decide(&self, key: &K) -> Option<&[String]> {
        self.decisions.get(key).and_then(|d| d.as_deref())
    }
}

/// Plans the recoding of `hist` (raw facts → number of rows) with `levels` levels of `publish`.
pub fn plan<K: Eq + Hash + Clone>(hist: &HashMap<K, usize>, k: usize, levels: usize, publish: impl Fn(&K, usize) -> Vec<String>) -> Plan<K> {
    let mut decisions: HashMap<K, Option<Vec<String>>> = HashMap::with_capacity(hist.len());
    let mut pending: Vec<(&K, usize)> = hist.iter().map(|(key, n)| (key, *n)).collect();
    let mut kept = 0;
    for level in 0..levels {
        let published: Vec<Vec<String>> = pending.iter().map(|(key, _)| publish(key, level)).collect();
        let mut sizes: HashMap<&[String], usize> = HashMap::new();
        for (values, (_, n)) in published.iter().zip(&pending) {
            *sizes.entry(values.as_slice()).or_default() += n;
        }
        let mut next = Vec::new();
        for (values, (key, n)) in published.iter().zip(&pending) {
            if sizes.get(values.as_slice()).copied().unwrap_or(0) >= k {
                decisions.insert((*key).clone(), Some(values.clone()));
                kept += n;
            } else {
                next.push((*key, *n));
            }
        }
        pending = next;
    }
    let mut suppressed = 0;
    for (key, n) in pending {
        decisions.insert(key.clone(), None);
        suppressed += n;
    }
    Plan { decisions, suppressed, kept }
}

/// `"1985-1989"` for a band of `width` years.
pub fn year_band(year: i32, width: i32) -> String {
    let start = year - year.rem_euclid(width);
    format!("{start}-{}", start + width - 1)
}

/// `"2025-03"`.
pub fn month(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// The value itself below `cap`, otherwise `"{cap}+"`.
pub fn top_code(n: i32, cap: i32) -> String {
    if n >= cap { format!("{cap}+") } else { n.max(0).to_string() }
}

/// The UN M49 sub-region of an ISO 3166-1 code ("Western Asia").
pub fn subregion(country: &str) -> &'static str {
    region_row(country).map_or("Unknown", |r| r.1)
}

/// The continent of an ISO 3166-1 code ("Asia").
pub fn continent(country: &str) -> &'static str {
    region_row(country).map_or("Unknown", |r| r.2)
}

fn region_row(country: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    REGIONS.binary_search_by(|r| r.0.cmp(country)).ok().map(|i| &REGIONS[i])
}

/// The raw quasi-identifying facts of a newcomer (a person row).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PersonFacts {
    pub city: String,
    pub birth_year: i32,
    pub gender: String,
    pub country: String,
    pub adults: i32,
    pub children: i32,
    /// Year and month of arrival.
    pub arrival: (i32, u32),
}

/// Published names of the person quasi-identifiers, in the order `publish_person` returns.
pub const PERSON_QI: [&str; 7] = ["city", "age_band", "gender", "origin", "household_adults", "household_children", "arrival_period"];

/// Levels of `publish_person`.
pub const PERSON_LEVELS: usize = 3;

/// The quasi-identifiers of a person at `level`: 0 is five-year age bands, the country of
/// origin where at least k people in the export share it (its region otherwise), household
/// counts top-coded at 3 and the arrival month; 1 publishes the region and the quarter; 2 ten-
/// year bands, the continent, the year and "1" / "2+" adults and "0" / "1+" children.
pub fn publish_person(f: &PersonFacts, level: usize, common_country: &dyn Fn(&str) -> bool) -> Vec<String> {
    let (year, m) = f.arrival;
    let (age, origin, adults, children, arrival) = match level {
        0 => (
            year_band(f.birth_year, 5),
            if common_country(&f.country) { f.country.clone() } else { subregion(&f.country).to_owned() },
            top_code(f.adults, 3),
            top_code(f.children, 3),
            format!("{year:04}-{m:02}"),
        ),
        1 => (year_band(f.birth_year, 5), subregion(&f.country).to_owned(), top_code(f.adults, 3), top_code(f.children, 3), format!("{year:04}-Q{}", (m + 2) / 3)),
        _ => (year_band(f.birth_year, 10), continent(&f.country).to_owned(), top_code(f.adults, 2), top_code(f.children, 1), format!("{year:04}")),
    };
    vec![f.city.clone(), age, f.gender.clone(), origin, adults, children, arrival]
}

/// The raw quasi-identifying facts of a welcome group (its volunteers in aggregate).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupFacts {
    pub city: String,
    pub members: i32,
    /// The median birth year of the members; `None` for a group without members.
    pub median_birth_year: Option<i32>,
}

/// Published names of the group quasi-identifiers.
pub const GROUP_QI: [&str; 3] = ["city", "member_count", "members_age_band"];

/// Levels of `publish_group`.
pub const GROUP_LEVELS: usize = 3;

/// The quasi-identifiers of a group at `level`: member counts top-coded at 8 and ten-year bands
/// of the members' median birth year; then twenty-year bands and counts "0-4", "5-7", "8+";
/// then the counts only.
pub fn publish_group(f: &GroupFacts, level: usize) -> Vec<String> {
    let count_band = |n: i32| match n {
        ..=4 => "0-4".to_owned(),
        5..=7 => "5-7".to_owned(),
        _ => "8+".to_owned(),
    };
    let band = |width| f.median_birth_year.map_or_else(|| "none".to_owned(), |y| year_band(y, width));
    match level {
        0 => vec![f.city.clone(), top_code(f.members, 8), band(10)],
        1 => vec![f.city.clone(), count_band(f.members), band(20)],
        _ => vec![f.city.clone(), count_band(f.members), "*".to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(city: &str, year: i32, country: &str, arrival: (i32, u32)) -> PersonFacts {
        PersonFacts { city: city.into(), birth_year: year, gender: "FEMALE".into(), country: country.into(), adults: 1, children: 0, arrival }
    }

    #[test]
    fn bands_months_and_top_codes() {
        assert_eq!(year_band(1987, 5), "1985-1989");
        assert_eq!(year_band(1990, 10), "1990-1999");
        assert_eq!(top_code(5, 3), "3+");
        assert_eq!(top_code(2, 3), "2");
        assert_eq!(subregion("SY"), "Western Asia");
        assert_eq!(continent("ER"), "Africa");
        assert_eq!(month(NaiveDate::from_ymd_opt(2025, 3, 17).unwrap_or_default()), "2025-03");
    }

    #[test]
    fn every_published_class_has_k_rows_and_the_rest_is_suppressed() {
        let mut hist = HashMap::new();
        // Six alike, two that generalise together at level 1, and one outlier.
        hist.insert(person("almere", 1990, "SY", (2025, 3)), 6);
        hist.insert(person("almere", 1991, "SY", (2025, 1)), 3);
        hist.insert(person("almere", 1992, "SY", (2025, 2)), 2);
        hist.insert(person("almere", 1950, "ER", (2020, 7)), 1);
        let k = 5;
        let common = |c: &str| c == "SY";
        let p = plan(&hist, k, PERSON_LEVELS, |f, l| publish_person(f, l, &common));
        assert_eq!(p.kept, 11);
        assert_eq!(p.suppressed, 1);
        let mut classes: HashMap<Vec<String>, usize> = HashMap::new();
        for (f, n) in &hist {
            if let Some(v) = p.decide(f) {
                *classes.entry(v.to_vec()).or_default() += n;
            }
        }
        assert!(classes.values().all(|n| *n >= k), "{classes:?}");
        assert_eq!(p.decide(&person("almere", 1991, "SY", (2025, 1))).map(|v| v[6].clone()), Some("2025-Q1".into()));
        assert!(p.decide(&person("almere", 1950, "ER", (2020, 7))).is_none());
        assert!(p.decide(&person("haarlem", 1950, "ER", (2020, 7))).is_none(), "unknown facts are withheld");
    }
}

//! Generalisation of quasi-identifiers and k-anonymity. Each quasi-identifier has a hierarchy
//! of levels (a birth year: five-year band, ten, twenty, withheld). The planner recodes whole
//! columns (global full-domain recoding, as Samarati's and ARX's searches do), so every row of
//! an export has the same granularity: it searches the lattice of level combinations, from the
//! least generalised up, for the one that loses least information (the sum of each column's
//! level as a share of its hierarchy) while withholding no more rows than the suppression
//! budget; the rows still in classes smaller than k are withheld. Pure functions over a
//! histogram of the rows' raw facts, so an export needs memory for the distinct combinations
//! only, not for its rows.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{Datelike, NaiveDate};

use super::regions::REGIONS;

/// Share of the rows that may be withheld rather than generalise a column further (at least
/// k − 1 rows, as in Datafly: a handful of outliers must not coarsen every other row).
pub const SUPPRESSION_BUDGET: f64 = 0.05;

/// What the planner decided: one level per quasi-identifier, and which raw combinations are
/// withheld.
pub struct Plan<K> {
    decisions: HashMap<K, Option<Vec<String>>>,
    /// The level of each quasi-identifier (0 = finest).
    pub levels: Vec<usize>,
    /// Rows withheld because their class stayed smaller than k.
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

/// Rows of `hist` in classes smaller than `k` when published at `levels`.
fn small_rows<K>(
    hist: &HashMap<K, usize>,
    k: usize,
    levels: &[usize],
    publish: &impl Fn(&K, &[usize]) -> Vec<String>,
) -> usize {
    let mut sizes: HashMap<Vec<String>, usize> = HashMap::new();
    for (key, n) in hist {
        *sizes.entry(publish(key, levels)).or_default() += n;
    }
    sizes.values().filter(|n| **n < k).sum()
}

/// Every combination of levels up to `max_levels`.
fn lattice(max_levels: &[usize]) -> Vec<Vec<usize>> {
    let mut nodes = vec![Vec::new()];
    for &max in max_levels {
        nodes = nodes.into_iter().flat_map(|node| (0..=max).map(move |l| [node.clone(), vec![l]].concat())).collect();
    }
    nodes
}

/// Plans the recoding of `hist` (raw facts → number of rows). `max_levels[i]` is the coarsest
/// level of quasi-identifier `i`. Among combinations that lose the same information, the one
/// withholding fewest rows wins, then the one that keeps the quasi-identifiers named last in
/// `priority` finest (they matter most to analyses).
pub fn plan<K: Eq + Hash + Clone>(
    hist: &HashMap<K, usize>,
    k: usize,
    max_levels: &[usize],
    priority: &[usize],
    publish: impl Fn(&K, &[usize]) -> Vec<String>,
) -> Plan<K> {
    let total: usize = hist.values().sum();
    let budget = ((total as f64 * SUPPRESSION_BUDGET).floor() as usize).max(k.saturating_sub(1));
    // Information loss: each column's level as a share of its hierarchy, in fixed point
    // (720720 is divisible by every height up to 16), so equal losses compare equal.
    let loss = |levels: &[usize]| -> u64 {
        levels.iter().zip(max_levels).map(|(l, m)| if *m == 0 { 0 } else { (*l as u64 * 720_720) / *m as u64 }).sum()
    };
    // The most important column first: the reverse of `priority`.
    let importance: Vec<usize> = priority.iter().rev().copied().collect();
    let tie_key = |levels: &[usize]| -> Vec<usize> { importance.iter().map(|&i| levels[i]).collect() };
    let mut nodes = lattice(max_levels);
    nodes.sort_by_key(|n| (loss(n), tie_key(n)));
    let mut chosen: Option<(Vec<usize>, usize)> = None;
    let mut i = 0;
    while i < nodes.len() && chosen.is_none() {
        let level_loss = loss(&nodes[i]);
        while i < nodes.len() && loss(&nodes[i]) == level_loss {
            let small = small_rows(hist, k, &nodes[i], &publish);
            if small <= budget && chosen.as_ref().is_none_or(|(_, s)| small < *s) {
                chosen = Some((nodes[i].clone(), small));
            }
            i += 1;
        }
    }
    // The coarsest node puts each city in one class; if even that leaves too many rows in
    // small classes, those rows are withheld.
    let levels = chosen.map_or_else(|| max_levels.to_vec(), |(levels, _)| levels);
    let mut sizes: HashMap<Vec<String>, usize> = HashMap::new();
    let published: Vec<(&K, usize, Vec<String>)> =
        hist.iter().map(|(key, n)| (key, *n, publish(key, &levels))).collect();
    for (_, n, values) in &published {
        *sizes.entry(values.clone()).or_default() += n;
    }
    let (mut kept, mut suppressed) = (0, 0);
    let mut decisions = HashMap::with_capacity(hist.len());
    for (key, n, values) in published {
        if sizes.get(&values).copied().unwrap_or(0) >= k {
            kept += n;
            decisions.insert(key.clone(), Some(values));
        } else {
            suppressed += n;
            decisions.insert(key.clone(), None);
        }
    }
    Plan { decisions, levels, suppressed, kept }
}

/// What is withheld at the coarsest level of a quasi-identifier.
pub const WITHHELD: &str = "*";

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
pub const PERSON_QI: [&str; 7] =
    ["city", "age_band", "gender", "origin", "household_adults", "household_children", "arrival_period"];

/// The coarsest level of each person quasi-identifier (the city is never generalised).
pub const PERSON_MAX_LEVELS: [usize; 7] = [0, 3, 1, 3, 2, 2, 3];

/// Which person quasi-identifier gives way first on a tie: arrival, origin, household, age,
/// gender (the last are what fairness analyses need most).
pub const PERSON_PRIORITY: [usize; 6] = [6, 3, 5, 4, 1, 2];

/// The quasi-identifiers of a person at `levels`. Age: five-year band, ten, twenty, withheld.
/// Gender: as recorded, withheld. Origin: the country where at least k people in the export
/// share it (its UN sub-region otherwise), the sub-region, the continent, withheld. Adults:
/// top-coded at 3+, at 2+, withheld. Children: top-coded at 3+, at 1+, withheld. Arrival: month,
/// quarter, year, withheld.
pub fn publish_person(f: &PersonFacts, levels: &[usize], common_country: &dyn Fn(&str) -> bool) -> Vec<String> {
    let level = |i: usize| levels.get(i).copied().unwrap_or(0);
    let (year, m) = f.arrival;
    let age = match level(1) {
        0 => year_band(f.birth_year, 5),
        1 => year_band(f.birth_year, 10),
        2 => year_band(f.birth_year, 20),
        _ => WITHHELD.to_owned(),
    };
    let gender = if level(2) == 0 { f.gender.clone() } else { WITHHELD.to_owned() };
    let origin = match level(3) {
        0 if common_country(&f.country) => f.country.clone(),
        0 | 1 => subregion(&f.country).to_owned(),
        2 => continent(&f.country).to_owned(),
        _ => WITHHELD.to_owned(),
    };
    let adults = match level(4) {
        0 => top_code(f.adults, 3),
        1 => top_code(f.adults, 2),
        _ => WITHHELD.to_owned(),
    };
    let children = match level(5) {
        0 => top_code(f.children, 3),
        1 => top_code(f.children, 1),
        _ => WITHHELD.to_owned(),
    };
    let arrival = match level(6) {
        0 => format!("{year:04}-{m:02}"),
        1 => format!("{year:04}-Q{}", m.div_ceil(3)),
        2 => format!("{year:04}"),
        _ => WITHHELD.to_owned(),
    };
    vec![f.city.clone(), age, gender, origin, adults, children, arrival]
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

/// The coarsest level of each group quasi-identifier.
pub const GROUP_MAX_LEVELS: [usize; 3] = [0, 2, 2];

/// Ages give way before member counts.
pub const GROUP_PRIORITY: [usize; 2] = [2, 1];

/// The quasi-identifiers of a group at `levels`. Members: counted, top-coded at 8+; then "0-4",
/// "5-7", "8+"; then withheld. The members' median birth year: ten-year band, twenty, withheld.
pub fn publish_group(f: &GroupFacts, levels: &[usize]) -> Vec<String> {
    let level = |i: usize| levels.get(i).copied().unwrap_or(0);
    let members = match level(1) {
        0 => top_code(f.members, 8),
        1 => match f.members {
            ..=4 => "0-4".to_owned(),
            5..=7 => "5-7".to_owned(),
            _ => "8+".to_owned(),
        },
        _ => WITHHELD.to_owned(),
    };
    let band = |width| f.median_birth_year.map_or_else(|| "none".to_owned(), |y| year_band(y, width));
    let age = match level(2) {
        0 => band(10),
        1 => band(20),
        _ => WITHHELD.to_owned(),
    };
    vec![f.city.clone(), members, age]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(city: &str, year: i32, country: &str, arrival: (i32, u32)) -> PersonFacts {
        PersonFacts {
            city: city.into(),
            birth_year: year,
            gender: "FEMALE".into(),
            country: country.into(),
            adults: 1,
            children: 0,
            arrival,
        }
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
    fn every_published_class_has_k_rows_and_few_rows_are_withheld() {
        let mut hist = HashMap::new();
        // Six alike, five that differ only in the arrival month, and one outlier.
        hist.insert(person("almere", 1990, "SY", (2025, 3)), 6);
        hist.insert(person("almere", 1991, "SY", (2025, 1)), 3);
        hist.insert(person("almere", 1992, "SY", (2025, 2)), 2);
        hist.insert(person("almere", 1950, "ER", (2020, 7)), 1);
        let k = 5;
        let common = |c: &str| c == "SY";
        let p = plan(&hist, k, &PERSON_MAX_LEVELS, &PERSON_PRIORITY, |f, l| publish_person(f, l, &common));
        let mut classes: HashMap<Vec<String>, usize> = HashMap::new();
        for (f, n) in &hist {
            if let Some(v) = p.decide(f) {
                *classes.entry(v.to_vec()).or_default() += n;
            }
        }
        assert!(classes.values().all(|n| *n >= k), "{classes:?}");
        assert_eq!(p.kept + p.suppressed, 12);
        // The least loss: ten-year bands and quarters put the eleven households of 2025 in one
        // class (or another combination of the same loss); the outlier is withheld rather
        // than coarsen every column of the eleven.
        assert!(p.levels.iter().sum::<usize>() <= 2, "{:?}", p.levels);
        assert_eq!(p.kept, 11);
        assert!(p.decide(&person("almere", 1950, "ER", (2020, 7))).is_none());
        assert!(p.decide(&person("haarlem", 1950, "ER", (2020, 7))).is_none(), "unknown facts are withheld");
    }

    #[test]
    fn with_too_few_people_columns_give_way_until_k_rows_share_a_class() {
        let mut hist = HashMap::new();
        for (i, c) in ["SY", "ER", "AF", "UA", "TR", "IR"].iter().enumerate() {
            hist.insert(person("almere", 1950 + 9 * i as i32, c, (2020 + i as i32, 1 + i as u32)), 1);
        }
        let p = plan(&hist, 5, &PERSON_MAX_LEVELS, &PERSON_PRIORITY, |f, l| publish_person(f, l, &|_| false));
        assert!(p.kept >= 5, "{:?}", p.levels);
        assert_eq!(p.kept + p.suppressed, 6);
    }
}

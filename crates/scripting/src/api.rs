//! What a script sees: the newcomer `n` and the group `g` as read-only objects, their lists as
//! sets, and the helper functions. Values are built once per round and shared (`Arc`), so a
//! call moves two pointers, never a copy of the data.

use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, INT, ImmutableString};

/// A set of lower-case tags or codes, sorted and without duplicates.
#[derive(Clone, Debug, Default)]
pub struct Tags(pub Arc<[ImmutableString]>);

impl Tags {
    pub fn new(mut items: Vec<String>) -> Self {
        items.sort();
        items.dedup();
        Tags(items.into_iter().map(ImmutableString::from).collect())
    }

    pub(crate) fn contains(&self, s: &str) -> bool {
        self.0.binary_search_by(|x| x.as_str().cmp(s)).is_ok()
    }

    /// Size of the intersection of two sorted sets, by a merge walk (no allocation).
    pub(crate) fn overlap(&self, other: &Tags) -> usize {
        let (a, b) = (&self.0, &other.0);
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            match a[i].as_str().cmp(b[j].as_str()) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    }

    pub(crate) fn jaccard(&self, other: &Tags) -> f64 {
        let inter = self.overlap(other);
        let union = self.0.len() + other.0.len() - inter;
        if union == 0 { 0.0 } else { inter as f64 / union as f64 }
    }

    fn from_array(arr: &Array) -> Tags {
        Tags::new(arr.iter().map(|d| d.to_string().to_lowercase()).collect())
    }
}

/// Iterates a shared list without copying it (`for x in n.interests` in a script).
pub struct SharedIter<T>(Arc<[T]>, usize);

impl<T: Clone> Iterator for SharedIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        let item = self.0.get(self.1).cloned();
        self.1 += 1;
        item
    }
}

impl IntoIterator for Tags {
    type Item = ImmutableString;
    type IntoIter = SharedIter<ImmutableString>;
    fn into_iter(self) -> Self::IntoIter {
        SharedIter(self.0, 0)
    }
}

/// A list of ages in years.
#[derive(Clone, Debug, Default)]
pub struct Ages(pub Arc<[INT]>);

impl Ages {
    pub fn new(mut ages: Vec<INT>) -> Self {
        ages.sort_unstable();
        Ages(ages.into())
    }

    pub(crate) fn gap(&self, age: INT) -> INT {
        self.0.iter().map(|a| INT::try_from(a.abs_diff(age)).unwrap_or(INT::MAX)).min().unwrap_or(NO_AGES_GAP)
    }
}

impl IntoIterator for Ages {
    type Item = INT;
    type IntoIter = SharedIter<INT>;
    fn into_iter(self) -> Self::IntoIter {
        SharedIter(self.0, 0)
    }
}

/// What `age_gap` answers when there is no age to compare with.
pub const NO_AGES_GAP: INT = 100;

/// The newcomer household as a script sees it (no names, no contact details).
#[derive(Debug)]
pub struct NewcomerData {
    pub age: INT,
    pub gender: ImmutableString,
    pub languages: Tags,
    pub dutch_level: ImmutableString,
    pub interests: Tags,
    pub sector: ImmutableString,
    pub goals: Tags,
    pub household_size: INT,
    pub children_ages: Ages,
    pub city: ImmutableString,
    pub neighbourhood: ImmutableString,
    pub waiting_days: INT,
}

/// The welcome group as a script sees it.
#[derive(Debug)]
pub struct GroupData {
    pub city: ImmutableString,
    pub neighbourhood: ImmutableString,
    pub capacity: INT,
    pub size: INT,
    pub languages: Tags,
    pub interests: Tags,
    pub member_ages: Ages,
    pub sectors: Tags,
    pub availability_hours: INT,
}

/// `n` in a script.
#[derive(Clone, Debug)]
pub struct ScriptNewcomer(pub Arc<NewcomerData>);

/// `g` in a script.
#[derive(Clone, Debug)]
pub struct ScriptGroup(pub Arc<GroupData>);

fn dyn_tags(d: &Dynamic) -> Option<Tags> {
    if let Some(t) = d.clone().try_cast::<Tags>() {
        return Some(t);
    }
    d.read_lock::<Array>().map(|a| Tags::from_array(&a))
}

fn dyn_ages(d: &Dynamic) -> Option<Ages> {
    if let Some(a) = d.clone().try_cast::<Ages>() {
        return Some(a);
    }
    let arr = d.read_lock::<Array>()?;
    Some(Ages::new(arr.iter().filter_map(|x| x.as_int().ok()).collect()))
}

type FnResult<T> = Result<T, Box<rhai::EvalAltResult>>;

fn type_err(fn_name: &str, what: &str) -> Box<rhai::EvalAltResult> {
    format!("{fn_name} expects {what}").into()
}

fn tag_pair(fn_name: &str, a: &Dynamic, b: &Dynamic) -> FnResult<(Tags, Tags)> {
    match (dyn_tags(a), dyn_tags(b)) {
        (Some(x), Some(y)) => Ok((x, y)),
        _ => Err(type_err(fn_name, "two lists, e.g. overlap(n.interests, g.interests)")),
    }
}

/// Registers the entity types, their fields and the helpers.
pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Tags>("list");
    engine.register_type_with_name::<Ages>("ages");
    engine.register_type_with_name::<ScriptNewcomer>("newcomer");
    engine.register_type_with_name::<ScriptGroup>("group");
    engine.register_iterator::<Tags>();
    engine.register_iterator::<Ages>();

    // Fields of n.
    engine.register_get("age", |n: &mut ScriptNewcomer| n.0.age);
    engine.register_get("gender", |n: &mut ScriptNewcomer| n.0.gender.clone());
    engine.register_get("languages", |n: &mut ScriptNewcomer| n.0.languages.clone());
    engine.register_get("dutch_level", |n: &mut ScriptNewcomer| n.0.dutch_level.clone());
    engine.register_get("interests", |n: &mut ScriptNewcomer| n.0.interests.clone());
    engine.register_get("sector", |n: &mut ScriptNewcomer| n.0.sector.clone());
    engine.register_get("goals", |n: &mut ScriptNewcomer| n.0.goals.clone());
    engine.register_get("household_size", |n: &mut ScriptNewcomer| n.0.household_size);
    engine.register_get("children_ages", |n: &mut ScriptNewcomer| n.0.children_ages.clone());
    engine.register_get("city", |n: &mut ScriptNewcomer| n.0.city.clone());
    engine.register_get("neighbourhood", |n: &mut ScriptNewcomer| n.0.neighbourhood.clone());
    engine.register_get("waiting_days", |n: &mut ScriptNewcomer| n.0.waiting_days);

    // Fields of g.
    engine.register_get("city", |g: &mut ScriptGroup| g.0.city.clone());
    engine.register_get("neighbourhood", |g: &mut ScriptGroup| g.0.neighbourhood.clone());
    engine.register_get("capacity", |g: &mut ScriptGroup| g.0.capacity);
    engine.register_get("size", |g: &mut ScriptGroup| g.0.size);
    engine.register_get("languages", |g: &mut ScriptGroup| g.0.languages.clone());
    engine.register_get("interests", |g: &mut ScriptGroup| g.0.interests.clone());
    engine.register_get("member_ages", |g: &mut ScriptGroup| g.0.member_ages.clone());
    engine.register_get("sectors", |g: &mut ScriptGroup| g.0.sectors.clone());
    engine.register_get("availability_hours", |g: &mut ScriptGroup| g.0.availability_hours);

    // Lists behave as sets: `x in list`, len, is_empty, indexing, for loops, to_array.
    engine.register_fn("contains", |t: &mut Tags, s: ImmutableString| t.contains(&s));
    engine.register_fn("contains", |a: &mut Ages, x: INT| a.0.contains(&x));
    engine.register_fn("len", |t: &mut Tags| t.0.len() as INT);
    engine.register_fn("len", |a: &mut Ages| a.0.len() as INT);
    engine.register_get("len", |t: &mut Tags| t.0.len() as INT);
    engine.register_get("len", |a: &mut Ages| a.0.len() as INT);
    engine.register_fn("is_empty", |t: &mut Tags| t.0.is_empty());
    engine.register_fn("is_empty", |a: &mut Ages| a.0.is_empty());
    engine.register_get("is_empty", |t: &mut Tags| t.0.is_empty());
    engine.register_get("is_empty", |a: &mut Ages| a.0.is_empty());
    engine.register_fn("to_array", |t: &mut Tags| -> Array { t.0.iter().cloned().map(Dynamic::from).collect() });
    engine.register_fn("to_array", |a: &mut Ages| -> Array { a.0.iter().copied().map(Dynamic::from).collect() });
    engine.register_indexer_get(|t: &mut Tags, i: INT| -> FnResult<ImmutableString> {
        usize::try_from(i)
            .ok()
            .and_then(|i| t.0.get(i).cloned())
            .ok_or_else(|| format!("index {i} is outside the list").into())
    });
    engine.register_indexer_get(|a: &mut Ages, i: INT| -> FnResult<INT> {
        usize::try_from(i)
            .ok()
            .and_then(|i| a.0.get(i).copied())
            .ok_or_else(|| format!("index {i} is outside the list").into())
    });
    engine.register_fn("to_string", |t: &mut Tags| format!("{:?}", t.0.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    engine.register_fn("to_string", |a: &mut Ages| format!("{:?}", a.0));

    // Helpers. Fast paths for the shared sets; any list (array) works too.
    engine.register_fn("overlap", |a: Tags, b: Tags| a.overlap(&b) as INT);
    engine.register_fn("overlap", |a: Dynamic, b: Dynamic| -> FnResult<INT> {
        let (x, y) = tag_pair("overlap", &a, &b)?;
        Ok(x.overlap(&y) as INT)
    });
    engine.register_fn("jaccard", |a: Tags, b: Tags| a.jaccard(&b));
    engine.register_fn("jaccard", |a: Dynamic, b: Dynamic| -> FnResult<f64> {
        let (x, y) = tag_pair("jaccard", &a, &b)?;
        Ok(x.jaccard(&y))
    });
    engine.register_fn("shares_language", |a: Tags, b: Tags| a.overlap(&b) > 0);
    engine.register_fn("shares_language", |a: Dynamic, b: Dynamic| -> FnResult<bool> {
        let (x, y) = tag_pair("shares_language", &a, &b)?;
        Ok(x.overlap(&y) > 0)
    });
    engine.register_fn("has_any", |a: Dynamic, b: Dynamic| -> FnResult<bool> {
        let (x, y) = tag_pair("has_any", &a, &b)?;
        Ok(x.overlap(&y) > 0)
    });
    engine.register_fn("has_all", |a: Dynamic, b: Dynamic| -> FnResult<bool> {
        let (x, y) = tag_pair("has_all", &a, &b)?;
        Ok(x.overlap(&y) == y.0.len())
    });
    engine.register_fn("age_gap", |age: INT, ages: Ages| ages.gap(age));
    engine.register_fn("age_gap", |age: INT, ages: Dynamic| -> FnResult<INT> {
        dyn_ages(&ages).map(|a| a.gap(age)).ok_or_else(|| type_err("age_gap", "an age and a list of ages"))
    });
    engine.register_fn("count_between", |ages: Ages, lo: INT, hi: INT| {
        ages.0.iter().filter(|a| **a >= lo && **a <= hi).count() as INT
    });
    engine.register_fn("min_age", |ages: Ages| ages.0.first().copied().unwrap_or(0));
    engine.register_fn("max_age", |ages: Ages| ages.0.last().copied().unwrap_or(0));
    engine.register_fn("mean_age", |ages: Ages| {
        if ages.0.is_empty() { 0.0 } else { ages.0.iter().sum::<INT>() as f64 / ages.0.len() as f64 }
    });
    engine.register_fn("cefr_rank", |level: ImmutableString| cefr_rank(&level));
    engine.register_fn("clamp", |x: f64, lo: f64, hi: f64| x.max(lo).min(hi));
    engine.register_fn("clamp", |x: INT, lo: INT, hi: INT| x.max(lo).min(hi));
}

/// A0 → 0 … C2 → 6; anything else → -1.
pub fn cefr_rank(level: &str) -> INT {
    match level {
        "A0" => 0,
        "A1" => 1,
        "A2" => 2,
        "B1" => 3,
        "B2" => 4,
        "C1" => 5,
        "C2" => 6,
        _ => -1,
    }
}

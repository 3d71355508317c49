//! Answers to read-only queries, kept in memory by each replica and served again while nothing
//! has been written since.
//!
//! Reading a page of 20 welcome groups with their members costs a few milliseconds of CPU
//! (decoding rows, resolving some 1,600 fields, writing 36 KB of JSON), while partner apps ask
//! the same questions over and over between changes. Every write to the programme's tables
//! moves the *data generation* (a number kept by database triggers, migration 6), and every
//! request reads the caller's user row together with that number in one statement anyway. An
//! answer is stored with the generation read before its data, and served only while the
//! current generation is still that number: a write by this replica, another replica, the CLI
//! or anyone else makes every older answer unreachable, and the first request that sees the new
//! generation empties the cache (erased personal data does not linger here either).
//!
//! What is never kept: mutations; anything but the allow-listed top-level query fields (no
//! audit log, no personal-data report, no introspection); answers with errors; answers that
//! carry contact details (each read of those is audited, so it has to run); anonymous requests.
//! The key holds the caller (user, role, city, group), the operation, its variables and the
//! query text, and entries are dropped when the local day changes (a few fields depend on
//! today's date). Memory is bounded (`SAMENHIER_RESPONSE_CACHE_MB`; 0 turns caching off), and
//! the oldest entries go first.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
};
use bytes::Bytes;
use chrono::NaiveDate;

use domain::policy::Principal;

/// Top-level query fields whose answers depend only on the database, the caller and the date.
/// (`{ __typename }` alone is not worth keeping: it costs less than a look-up.)
const CACHEABLE_FIELDS: [&str; 16] = [
    "me",
    "cities",
    "city",
    "welcomeGroups",
    "welcomeGroup",
    "newcomers",
    "newcomer",
    "scoringScripts",
    "matches",
    "match",
    "matchingRun",
    "recommendations",
    "checkInsDue",
    "matchesDueForCompletion",
    "cityStatistics",
    "criterionOutcomes",
];

/// The operation a request runs: the only one, or the one named (`None` when the name matches
/// none, or when several are sent without a name).
pub fn selected_operation<'a>(
    doc: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.iter().find(|(n, _)| n.as_str() == name).map(|(_, op)| &op.node)
        }
        // A named operation is "multiple" even when it is the only one.
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next().map(|op| &op.node),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Whether the operation `operation_name` of `doc` may be answered from the cache: a query
/// whose top-level selections are all fields from the allow-list (fragments at the top level
/// are not looked into, so they are not cached).
pub fn cacheable(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    selected_operation(doc, operation_name).is_some_and(|op| {
        op.ty == OperationType::Query
            && op.selection_set.node.items.iter().all(|item| match &item.node {
                Selection::Field(f) => CACHEABLE_FIELDS.contains(&f.node.name.node.as_str()),
                _ => false,
            })
    })
}

/// The cache key of a request: who asks (everything that decides what they may see), then
/// what they ask. Separated by a control character no field can contain unescaped.
pub fn key(p: &Principal, operation_name: Option<&str>, variables: &str, query: &str) -> String {
    let role = p.role.code();
    let city = p.city.as_deref().unwrap_or("");
    let group = p.group.as_deref().unwrap_or("");
    let op = operation_name.unwrap_or("");
    let mut k = String::with_capacity(
        p.user_id.len() + role.len() + city.len() + group.len() + op.len() + variables.len() + query.len() + 6,
    );
    for part in [p.user_id.as_str(), role, city, group, op, variables] {
        k.push_str(part);
        k.push('\u{1f}');
    }
    k.push_str(query);
    k
}

/// What one replica keeps.
pub struct ResponseCache {
    max_bytes: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The newest generation any request has seen; entries all belong to it.
    generation: i64,
    day: Option<NaiveDate>,
    entries: HashMap<String, Bytes>,
    /// Keys in the order they were stored, oldest first (for eviction).
    order: VecDeque<String>,
    bytes: usize,
}

pub use services::metrics::Lookup;

impl Inner {
    fn empty(&mut self) {
        self.entries.clear();
        self.order.clear();
        self.bytes = 0;
    }

    /// Moves to `generation` and `day` if they are newer, emptying the cache; false when the
    /// caller's view is older than what the cache holds (its answer must not be used or kept).
    fn advance(&mut self, generation: i64, day: NaiveDate) -> bool {
        if generation < self.generation || self.day.is_some_and(|d| day < d) {
            return false;
        }
        if generation > self.generation || self.day != Some(day) {
            self.empty();
            self.generation = generation;
            self.day = Some(day);
        }
        true
    }
}

impl ResponseCache {
    /// A cache of at most `max_bytes` (keys and answers); 0 keeps nothing.
    pub fn new(max_bytes: usize) -> Self {
        Self { max_bytes, inner: Mutex::new(Inner::default()) }
    }

    pub fn enabled(&self) -> bool {
        self.max_bytes > 0
    }

    /// Forgets every answer (after a mutation on this replica: what it changed, an erasure
    /// say, leaves memory at once rather than at the next request).
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.empty();
        }
    }

    /// The answer stored under `key` at `generation` on `day`, if any.
    pub fn get(&self, key: &str, generation: i64, day: NaiveDate) -> (Lookup, Option<Bytes>) {
        if !self.enabled() {
            return (Lookup::Off, None);
        }
        let Ok(mut inner) = self.inner.lock() else { return (Lookup::Miss, None) };
        if !inner.advance(generation, day) {
            return (Lookup::Miss, None);
        }
        match inner.entries.get(key) {
            Some(body) => (Lookup::Hit, Some(body.clone())),
            None => (Lookup::Miss, None),
        }
    }

    /// Keeps `body` as the answer to `key`, computed from data at `generation` or later.
    /// Returns whether it was kept.
    pub fn put(&self, key: String, generation: i64, day: NaiveDate, body: Bytes) -> bool {
        let size = key.len() + body.len();
        // One answer may take at most an eighth of the budget, so a single huge page cannot
        // push out everything else.
        if !self.enabled() || size > self.max_bytes / 8 {
            return false;
        }
        let Ok(mut inner) = self.inner.lock() else { return false };
        if !inner.advance(generation, day) || inner.entries.contains_key(&key) {
            return false;
        }
        while inner.bytes + size > self.max_bytes {
            let Some(old) = inner.order.pop_front() else { break };
            if let Some(b) = inner.entries.remove(&old) {
                inner.bytes -= old.len() + b.len();
            }
        }
        inner.bytes += size;
        inner.order.push_back(key.clone());
        inner.entries.insert(key, body);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn parse(q: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(q).unwrap()
    }

    #[test]
    fn only_allow_listed_queries_are_cacheable() {
        assert!(cacheable(&parse("{ welcomeGroups { totalCount } me { id } }"), None));
        assert!(cacheable(&parse("query A { me { id } } mutation B { logout }"), Some("A")));
        assert!(!cacheable(&parse("query A { me { id } } mutation B { logout }"), Some("B")));
        assert!(!cacheable(&parse("query A { me { id } } query B { me { id } }"), None));
        assert!(cacheable(&parse("query Groups { welcomeGroups { totalCount } }"), None));
        assert!(!cacheable(&parse("query Groups { welcomeGroups { totalCount } }"), Some("Other")));
        assert!(!cacheable(&parse("{ me { id } auditLog { totalCount } }"), None));
        assert!(!cacheable(&parse("{ personalDataReport(newcomerId: \"x\") }"), None));
        assert!(!cacheable(&parse("{ __schema { types { name } } }"), None));
        assert!(!cacheable(&parse("{ __typename }"), None));
        assert!(!cacheable(&parse("{ ...F } fragment F on Query { me { id } }"), None));
        assert!(!cacheable(&parse("mutation { login(email: \"a\", password: \"b\") { token } }"), None));
    }

    #[test]
    fn a_newer_generation_or_day_empties_the_cache_and_older_views_are_refused() {
        let c = ResponseCache::new(1 << 20);
        assert!(c.put("k".into(), 5, day(1), Bytes::from_static(b"five")));
        assert_eq!(c.get("k", 5, day(1)).1.as_deref(), Some(&b"five"[..]));
        // A request that read an older generation neither sees nor stores anything.
        assert_eq!(c.get("k", 4, day(1)).0, Lookup::Miss);
        assert!(!c.put("j".into(), 4, day(1), Bytes::from_static(b"four")));
        // The first request at a newer generation empties it.
        assert_eq!(c.get("k", 6, day(1)).0, Lookup::Miss);
        assert_eq!(c.get("k", 6, day(1)).0, Lookup::Miss);
        assert!(c.put("k".into(), 6, day(1), Bytes::from_static(b"six")));
        assert_eq!(c.get("k", 6, day(2)).0, Lookup::Miss);
        assert_eq!(c.inner.lock().unwrap().bytes, 0);
        // A mutation on this replica forgets everything at once.
        assert!(c.put("k".into(), 6, day(2), Bytes::from_static(b"six")));
        c.clear();
        assert_eq!(c.get("k", 6, day(2)).0, Lookup::Miss);
        assert_eq!(c.inner.lock().unwrap().bytes, 0);
    }

    #[test]
    fn memory_stays_within_the_budget_oldest_first() {
        let c = ResponseCache::new(800);
        for i in 0..20 {
            c.put(format!("k{i:02}"), 1, day(1), Bytes::from(vec![b'x'; 97]));
        }
        let inner = c.inner.lock().unwrap();
        assert!(inner.bytes <= 800);
        assert_eq!(inner.entries.len(), 8);
        assert!(inner.entries.contains_key("k19") && !inner.entries.contains_key("k11"));
        drop(inner);
        // Larger than an eighth of the budget: not kept.
        assert!(!c.put("big".into(), 1, day(1), Bytes::from(vec![b'x'; 101])));
        assert_eq!(ResponseCache::new(0).get("k19", 1, day(1)).0, Lookup::Off);
    }

    #[test]
    fn keys_separate_callers_and_requests() {
        let admin = Principal {
            user_id: "u1".into(),
            role: domain::enums::Role::Admin,
            city: None,
            group: None,
            supported: None,
        };
        let city_admin =
            Principal { role: domain::enums::Role::CityAdmin, city: Some("almere".into()), ..admin.clone() };
        assert_ne!(key(&admin, None, "{}", "{ me { id } }"), key(&city_admin, None, "{}", "{ me { id } }"));
        assert_ne!(key(&admin, Some("A"), "{}", "q"), key(&admin, None, "{}", "q"));
        assert_ne!(key(&admin, None, "{\"a\":1}", "q"), key(&admin, None, "{\"a\":2}", "q"));
    }
}

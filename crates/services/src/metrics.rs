//! `/metrics` in the Prometheus text format (version 0.0.4): GraphQL requests by operation and
//! outcome with a latency histogram, matching rounds by outcome with a duration histogram,
//! script errors and exports. Counters live in this replica's memory; Prometheus scrapes every
//! replica and sums.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// How a lookup in the response cache went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    Hit,
    Miss,
    Off,
}

/// Upper bounds (seconds) of the request latency buckets.
const REQUEST_BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
/// Upper bounds (seconds) of the round duration buckets.
const ROUND_BUCKETS: [f64; 10] = [0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0];
/// Distinct operation names kept as labels; more fold into "other" (clients choose names).
const MAX_OPERATIONS: usize = 200;

#[derive(Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], seconds: f64) {
        if self.counts.len() != bounds.len() {
            self.counts = vec![0; bounds.len()];
        }
        for (i, b) in bounds.iter().enumerate() {
            if seconds <= *b {
                self.counts[i] += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, b) in bounds.iter().enumerate() {
            let _ =
                writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {}", self.counts.get(i).copied().unwrap_or(0));
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", self.count);
        let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, &'static str), u64>,
    latency: BTreeMap<String, Histogram>,
    rounds: BTreeMap<&'static str, u64>,
    round_seconds: Histogram,
    script_errors: u64,
    exports: BTreeMap<(&'static str, &'static str), u64>,
    login_limited: u64,
    cache_hits: u64,
    cache_misses: u64,
    cache_stored: u64,
    db_queries: u64,
    db_failures: u64,
    db_seconds: Histogram,
    /// Notification attempts by channel, event kind and outcome ("sent", "retry", "failed").
    deliveries: BTreeMap<(&'static str, String, &'static str), u64>,
    /// The outbox's backlog as this replica's scheduler last measured it.
    outbox: Option<(u64, f64)>,
}

/// The counters of this replica.
#[derive(Default)]
pub struct Metrics(Mutex<Inner>);

/// A label value made safe: an operation name as clients send it, or "anonymous".
fn operation_label(name: Option<&str>) -> String {
    match name {
        Some(n) if !n.is_empty() && n.len() <= 64 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            n.to_owned()
        }
        Some(_) => "invalid".to_owned(),
        None => "anonymous".to_owned(),
    }
}

impl Metrics {
    /// One GraphQL request: its operation name, outcome ("ok", "error", "rejected",
    /// "timeout") and how long it took.
    pub fn request(&self, operation: Option<&str>, outcome: &'static str, elapsed: Duration, script_errors: usize) {
        let Ok(mut m) = self.0.lock() else { return };
        let mut op = operation_label(operation);
        let known = m.latency.len();
        if !m.latency.contains_key(&op) && known >= MAX_OPERATIONS {
            op = "other".to_owned();
        }
        *m.requests.entry((op.clone(), outcome)).or_default() += 1;
        m.latency.entry(op).or_default().observe(&REQUEST_BUCKETS, elapsed.as_secs_f64());
        m.script_errors += script_errors as u64;
    }

    /// One matching round ("proposed", "dry_run", "failed").
    pub fn round(&self, outcome: &'static str, elapsed: Duration) {
        let Ok(mut m) = self.0.lock() else { return };
        *m.rounds.entry(outcome).or_default() += 1;
        m.round_seconds.observe(&ROUND_BUCKETS, elapsed.as_secs_f64());
    }

    /// One export download.
    pub fn export(&self, dataset: &'static str, format: &'static str) {
        if let Ok(mut m) = self.0.lock() {
            *m.exports.entry((dataset, format)).or_default() += 1;
        }
    }

    /// One login refused by the failed-login limit.
    pub fn login_limited(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.login_limited += 1;
        }
    }

    /// One look into the response cache.
    pub fn response_cache(&self, lookup: Lookup) {
        if let Ok(mut m) = self.0.lock() {
            match lookup {
                Lookup::Hit => m.cache_hits += 1,
                Lookup::Miss => m.cache_misses += 1,
                Lookup::Off => {}
            }
        }
    }

    /// One answer kept by the response cache.
    pub fn response_cache_stored(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.cache_stored += 1;
        }
    }

    /// One database statement (never its text: it may hold personal values).
    pub fn db_query(&self, elapsed: Duration, failed: bool) {
        if let Ok(mut m) = self.0.lock() {
            m.db_queries += 1;
            m.db_failures += u64::from(failed);
            m.db_seconds.observe(&REQUEST_BUCKETS, elapsed.as_secs_f64());
        }
    }

    /// One attempt to deliver a notification. Kinds are a closed set, so labels stay few.
    pub fn delivery(&self, channel: &'static str, kind: &str, outcome: &'static str) {
        let Ok(mut m) = self.0.lock() else { return };
        *m.deliveries.entry((channel, kind.to_owned(), outcome)).or_default() += 1;
    }

    /// The outbox's backlog measured by the scheduler at the end of a pass: events not
    /// fanned out and deliveries due but not sent, and the age of the oldest of them. Every
    /// replica with a scheduler reports the same shared backlog: take the max, not the sum.
    pub fn outbox(&self, depth: u64, oldest_seconds: f64) {
        let Ok(mut m) = self.0.lock() else { return };
        m.outbox = Some((depth, oldest_seconds));
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(m) = self.0.lock() else { return out };
        let o = &mut out;
        family(o, "samenhier_graphql_requests_total", "counter", "GraphQL requests by operation name and outcome.");
        for ((op, outcome), n) in &m.requests {
            let _ = writeln!(o, "samenhier_graphql_requests_total{{operation=\"{op}\",outcome=\"{outcome}\"}} {n}");
        }
        family(
            o,
            "samenhier_graphql_request_duration_seconds",
            "histogram",
            "GraphQL request latency by operation name.",
        );
        for (op, h) in &m.latency {
            h.write(o, "samenhier_graphql_request_duration_seconds", &format!("operation=\"{op}\""), &REQUEST_BUCKETS);
        }
        family(o, "samenhier_matching_rounds_total", "counter", "Matching rounds by outcome.");
        for (outcome, n) in &m.rounds {
            let _ = writeln!(o, "samenhier_matching_rounds_total{{outcome=\"{outcome}\"}} {n}");
        }
        family(o, "samenhier_matching_round_duration_seconds", "histogram", "Matching round duration.");
        m.round_seconds.write(o, "samenhier_matching_round_duration_seconds", "", &ROUND_BUCKETS);
        counter(o, "samenhier_script_errors_total", "GraphQL errors with code SCRIPT_ERROR.", m.script_errors);
        family(o, "samenhier_exports_total", "counter", "Export downloads by dataset and format.");
        for ((dataset, format), n) in &m.exports {
            let _ = writeln!(o, "samenhier_exports_total{{dataset=\"{dataset}\",format=\"{format}\"}} {n}");
        }
        counter(
            o,
            "samenhier_script_prints_total",
            "Calls of print or debug by scoring scripts (counted, never logged: scripts see households' features).",
            scripting::engine::prints_total(),
        );
        counter(o, "samenhier_logins_rate_limited_total", "Logins refused by the failed-login limit.", m.login_limited);
        family(o, "samenhier_response_cache_lookups_total", "counter", "Look-ups in the response cache by result.");
        let _ = writeln!(o, "samenhier_response_cache_lookups_total{{result=\"hit\"}} {}", m.cache_hits);
        let _ = writeln!(o, "samenhier_response_cache_lookups_total{{result=\"miss\"}} {}", m.cache_misses);
        counter(o, "samenhier_response_cache_stored_total", "Answers kept by the response cache.", m.cache_stored);
        counter(o, "samenhier_db_queries_total", "Database statements run.", m.db_queries);
        counter(o, "samenhier_db_query_failures_total", "Database statements that failed.", m.db_failures);
        family(o, "samenhier_db_query_duration_seconds", "histogram", "Database statement latency.");
        m.db_seconds.write(o, "samenhier_db_query_duration_seconds", "", &REQUEST_BUCKETS);
        if let Some((depth, oldest)) = m.outbox {
            family(
                o,
                "samenhier_outbox_depth",
                "gauge",
                "Notification events not fanned out and deliveries due but not sent.",
            );
            let _ = writeln!(o, "samenhier_outbox_depth {depth}");
            family(o, "samenhier_outbox_oldest_age_seconds", "gauge", "Age of the oldest of them (0 when none).");
            let _ = writeln!(o, "samenhier_outbox_oldest_age_seconds {oldest}");
        }
        family(
            o,
            "samenhier_notification_deliveries_total",
            "counter",
            "Notification attempts by channel, kind and outcome.",
        );
        for ((channel, kind, outcome), n) in &m.deliveries {
            let _ = writeln!(
                o,
                "samenhier_notification_deliveries_total{{channel=\"{channel}\",kind=\"{kind}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        out
    }
}

/// The `# HELP` and `# TYPE` lines of a metric family.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A counter without labels.
fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    family(out, name, "counter", help);
    let _ = writeln!(out, "{name} {value}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_counts_and_buckets() {
        let m = Metrics::default();
        m.request(Some("Groups"), "ok", Duration::from_millis(3), 0);
        m.request(Some("bad name!"), "error", Duration::from_millis(30), 1);
        m.round("proposed", Duration::from_millis(700));
        m.export("matches", "csv");
        let text = m.render();
        assert!(text.contains("samenhier_graphql_requests_total{operation=\"Groups\",outcome=\"ok\"} 1"), "{text}");
        assert!(text.contains("samenhier_graphql_requests_total{operation=\"invalid\",outcome=\"error\"} 1"));
        assert!(
            text.contains("samenhier_graphql_request_duration_seconds_bucket{operation=\"Groups\",le=\"0.005\"} 1")
        );
        assert!(
            text.contains("samenhier_graphql_request_duration_seconds_bucket{operation=\"Groups\",le=\"0.0025\"} 0")
        );
        assert!(text.contains("samenhier_matching_round_duration_seconds_bucket{le=\"1\"} 1"));
        assert!(text.contains("samenhier_script_errors_total 1"));
        assert!(text.contains("samenhier_exports_total{dataset=\"matches\",format=\"csv\"} 1"));
    }
}

//! What a matching run and its matches store of their results as JSON — a match's
//! explanation, a run's pairs, its unmatched households and its quality report — as types that
//! write and read them, so the writer and every reader share one definition. A stored value
//! that does not read back is an internal error (logged, with the record), never a list that
//! quietly lost its entries.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use domain::error::{AppError, AppResult};

/// Points per criterion in hundredths, in the script's order: `[[criterion, hundredths], ...]`.
pub type Explanation = Vec<(String, i64)>;

/// One pair a run computed (`matching_runs.pairs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredPair {
    #[serde(rename = "n")]
    pub newcomer_id: String,
    #[serde(rename = "g")]
    pub group_id: String,
    /// Hundredths; the parts sum to it.
    pub score: i64,
    pub parts: Explanation,
    /// The stored match it became (none for a dry run).
    #[serde(rename = "match", default)]
    pub match_id: Option<String>,
    /// Locked by staff against the script's eligibility (an override); absent in older runs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridden: bool,
}

/// A candidate household a run left without a proposal (`matching_runs.unmatched`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredUnmatched {
    #[serde(rename = "n")]
    pub newcomer_id: String,
    /// `NO_ELIGIBLE_GROUP`, `ONLY_EXCLUDED_GROUPS`, `OUTNUMBERED`, or `RECONFIRMATION_DUE` (left
    /// out of the round: its last confirmation is older than the city's period).
    pub reason: String,
}

/// Match rate and mean score of one subgroup of the candidates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subgroup {
    pub group: String,
    pub candidates: usize,
    pub matched: usize,
    pub match_rate: f64,
    pub mean_score: f64,
    pub below_four_fifths: bool,
}

/// A run's quality and fairness report (`matching_runs.quality`). Fields added later
/// (`rescoredOnRhai`, `emptyReason`) read as their defaults in older runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Quality {
    pub greedy_total: i64,
    pub exact_total: i64,
    pub overall_match_rate: f64,
    pub by_gender: Vec<Subgroup>,
    pub by_household_type: Vec<Subgroup>,
    pub by_main_language: Vec<Subgroup>,
    pub rescored_on_rhai: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_reason: Option<String>,
    /// Pairs staff locked against the script's eligibility, with a reason (overrides).
    pub overrides: usize,
}

/// The JSON of a value to store.
pub fn to_json<T: Serialize>(value: &T) -> AppResult<Value> {
    serde_json::to_value(value).map_err(AppError::internal)
}

/// A stored value read back; `what` names the column in the error.
pub fn read<T: for<'de> Deserialize<'de>>(what: &'static str, value: &Value) -> AppResult<T> {
    serde_json::from_value(value.clone())
        .map_err(|e| AppError::internal(anyhow::anyhow!("{what} does not read back: {e}")))
}

/// A match's explanation (`matches.explanation`).
pub fn explanation(value: &Value) -> AppResult<Explanation> {
    read("matches.explanation", value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_shapes_are_the_ones_written_before() {
        let pair: StoredPair = read(
            "pairs",
            &serde_json::json!({"n": "a", "g": "b", "score": 150, "parts": [["language", 100], ["age", 50]], "match": null}),
        )
        .unwrap();
        assert_eq!(pair.parts, vec![("language".to_owned(), 100), ("age".to_owned(), 50)]);
        assert_eq!(to_json(&pair).unwrap()["parts"], serde_json::json!([["language", 100], ["age", 50]]));
        let quality: Quality = read("quality", &serde_json::json!({"greedyTotal": 5, "demo": true})).unwrap();
        assert_eq!(quality.greedy_total, 5);
        assert!(!quality.rescored_on_rhai);
    }

    #[test]
    fn a_value_that_does_not_read_back_is_an_error_not_an_empty_list() {
        assert!(explanation(&serde_json::json!([["language", "many"]])).is_err());
        assert!(read::<Vec<StoredUnmatched>>("unmatched", &serde_json::json!([{"n": 1}])).is_err());
    }
}

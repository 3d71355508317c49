//! Scoring scripts in GraphQL: versions, validation, preview, publish, activate.

use crate::DB_COST;
use crate::scalars::Timestamp;
use async_graphql::{Context, Object, SimpleObject};
use entity::scoring_script;

use crate::context::both;
use crate::error::IntoGql;
use crate::newcomers::Newcomer;
use scripting::script::points;
use services::scripts as svc;

/// One immutable version of a city's scoring script.
pub struct ScoringScript(pub scoring_script::Model);

/// One immutable version of a city's scoring script.
#[Object]
impl ScoringScript {
    /// Opaque id of this version (clients' caches key on it).
    async fn id(&self) -> async_graphql::ID {
        async_graphql::ID(self.0.id.clone())
    }
    /// The city the script belongs to.
    async fn city_slug(&self) -> &str {
        &self.0.city_slug
    }
    /// Version number, 1 for the script shipped with the server.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// SHA-256 of the source, hex; recorded by every matching run that used it.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    /// The Rhai source.
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// What the author said about this version.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Whether this version is the one the city's rounds use now.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Id of the user who published it (none for the shipped version).
    async fn author_id(&self) -> Option<&str> {
        self.0.author_user_id.as_deref()
    }
    /// When it was published.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

/// A problem found in a script.
#[derive(SimpleObject)]
pub struct ScriptProblem {
    /// What is wrong, in words.
    pub message: String,
    /// Line in the source, where known (1-based).
    pub line: Option<i32>,
    /// Column in the source, where known (1-based).
    pub column: Option<i32>,
}

/// The outcome of validating a script: never an error for a bad script, only this report.
#[derive(SimpleObject)]
pub struct ScriptValidation {
    /// True when the script may be published.
    pub ok: bool,
    /// What is wrong (empty when ok).
    pub errors: Vec<ScriptProblem>,
    /// How many sample pairs (the city's candidates, or built-in fixtures) the script ran on.
    pub sample_pairs_scored: i32,
    /// Whether rounds score this script with the native evaluator (many times faster than
    /// Rhai; see README.md for figures): true when it uses only the common subset described in scoring-scripts/README.md
    /// and agreed with Rhai on the sample pairs. A script outside the subset is just as valid,
    /// only slower.
    pub native_scoring: bool,
    /// The criterion names the script can return: the keys of the map literals written in it
    /// (a name anywhere else, or built from data, is refused when `score` returns it).
    pub criteria: Vec<String>,
}

/// What a candidate script would change compared with the active one, on the city's current
/// candidates, both solved exactly.
pub struct ScriptPreview(svc::Preview);

/// What a candidate script would change compared with the active one, on the city's current
/// candidates, both solved exactly.
#[Object]
impl ScriptPreview {
    /// Total score of the proposals under the active script.
    async fn current_total_score(&self) -> f64 {
        points(self.0.current_total)
    }
    /// Total score of the proposals under the candidate script.
    async fn candidate_total_score(&self) -> f64 {
        points(self.0.candidate_total)
    }
    /// Number of proposals under the active script.
    async fn current_matches(&self) -> i32 {
        self.0.current_matches as i32
    }
    /// Number of proposals under the candidate script.
    async fn candidate_matches(&self) -> i32 {
        self.0.candidate_matches as i32
    }
    /// Per household whose proposal would change: the group and score before (active
    /// script) and after (candidate), for staff to see who would be matched differently.
    async fn changes(&self) -> Vec<PreviewChange> {
        self.0.changes.iter().cloned().map(PreviewChange).collect()
    }
    /// The newcomers whose proposal would change (another group, or none).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn changed_newcomers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Newcomer>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Newcomer::scoped_all(&state.db, self.0.changed_newcomers.clone(), p).await
        };
        run.await.gql()
    }
}

/// One household whose proposal a candidate script would change.
pub struct PreviewChange(svc::PreviewChange);

/// One household whose proposal a candidate script would change.
#[Object]
impl PreviewChange {
    /// The household.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn newcomer(&self, ctx: &Context<'_>) -> async_graphql::Result<Newcomer> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Newcomer::scoped(&state.db, self.0.newcomer.clone(), p).await
        };
        run.await.gql()
    }
    /// The group the active script proposes for it (none: no proposal).
    async fn group_before(&self) -> Option<crate::groups::WelcomeGroup> {
        self.0.before.as_ref().map(|(g, _)| crate::groups::WelcomeGroup::new(g.clone()))
    }
    /// The group the candidate script would propose (none: no proposal).
    async fn group_after(&self) -> Option<crate::groups::WelcomeGroup> {
        self.0.after.as_ref().map(|(g, _)| crate::groups::WelcomeGroup::new(g.clone()))
    }
    /// Its proposal's score under the active script.
    async fn score_before(&self) -> Option<f64> {
        self.0.before.as_ref().map(|(_, s)| points(*s))
    }
    /// Its proposal's score under the candidate script.
    async fn score_after(&self) -> Option<f64> {
        self.0.after.as_ref().map(|(_, s)| points(*s))
    }
    /// After minus before (a missing proposal counts 0).
    async fn score_change(&self) -> f64 {
        points(self.0.after.as_ref().map_or(0, |p| p.1) - self.0.before.as_ref().map_or(0, |p| p.1))
    }
}

fn problems(v: &scripting::validate::Validation) -> Vec<ScriptProblem> {
    v.problems
        .iter()
        .map(|p| ScriptProblem {
            message: p.message.clone(),
            line: p.line.map(|l| l as i32),
            column: p.column.map(|c| c as i32),
        })
        .collect()
}

#[derive(Default)]
pub struct ScriptQuery;

#[Object]
impl ScriptQuery {
    /// Every version of a city's scoring script, newest first. ADMIN and the city's CITY_ADMIN.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn scoring_scripts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city whose script versions are listed.")] city_slug: String,
    ) -> async_graphql::Result<Vec<ScoringScript>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Ok(svc::list(&state.db, p, &city_slug).await?.into_iter().map(ScoringScript).collect())
        };
        run.await.gql()
    }
}

#[derive(Default)]
pub struct ScriptMutation;

#[Object]
impl ScriptMutation {
    /// Checks a script without storing it: it compiles, defines eligible(n, g) and
    /// score(n, g), runs on sample pairs within the limits and returns the right types. A bad
    /// script is a report with `ok: false`, never an error.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn validate_scoring_script(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city whose households and groups the script is tried on.")] city_slug: String,
        #[graphql(
            desc = "The Rhai source of the script (send it as a variable: quotes and newlines need no escaping)."
        )]
        source: String,
    ) -> async_graphql::Result<ScriptValidation> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let v =
                svc::validate_source(&state.db, &state.scoring, state.settings.today(), p, &city_slug, &source).await?;
            let native_scoring = v.compiled.as_ref().is_some_and(|c| c.is_native());
            let criteria = v.compiled.as_ref().map(|c| c.criteria().map(str::to_owned).collect()).unwrap_or_default();
            Ok(ScriptValidation {
                ok: v.ok(),
                errors: problems(&v),
                sample_pairs_scored: v.sample_pairs_scored as i32,
                native_scoring,
                criteria,
            })
        };
        run.await.gql()
    }

    /// Compares a candidate script with the active one on the city's current candidates;
    /// stores nothing. SCRIPT_ERROR for a script that does not validate.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn preview_scoring_script(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city whose waiting households and ready groups are scored.")] city_slug: String,
        #[graphql(desc = "The Rhai source of the script to compare with the active one.")] source: String,
    ) -> async_graphql::Result<ScriptPreview> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::preview(&state.db, &state.scoring, state.settings.today(), p, &city_slug, &source)
                .await
                .map(ScriptPreview)
        };
        run.await.gql()
    }

    /// Stores a new immutable version and makes it active at once (no restart). SCRIPT_ERROR
    /// for a script that does not validate.
    async fn publish_scoring_script(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city the new version belongs to.")] city_slug: String,
        #[graphql(desc = "The Rhai source of the new version; it must validate.")] source: String,
        #[graphql(desc = "What changed and why, for the audit log and the list of versions.")] note: Option<String>,
    ) -> async_graphql::Result<ScoringScript> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::publish(&state.db, &state.scoring, state.settings.today(), p, &city_slug, &source, note.as_deref())
                .await
                .map(ScoringScript)
        };
        run.await.gql()
    }

    /// Makes a stored version active again (roll back or forward), after the same checks.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn activate_scoring_script(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city whose active version changes.")] city_slug: String,
        #[graphql(desc = "The version to make active (1, 2, ...).")] version: i32,
    ) -> async_graphql::Result<ScoringScript> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::activate(&state.db, &state.scoring, state.settings.today(), p, &city_slug, version)
                .await
                .map(ScoringScript)
        };
        run.await.gql()
    }
}

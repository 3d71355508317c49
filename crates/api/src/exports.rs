//! The export catalog (which datasets exist, their columns, the policy and key in use, so a
//! notebook can discover what `GET /exports/{dataset}` gives) and the export policies.

use crate::DB_COST;
use async_graphql::{Context, Object, SimpleObject};

use crate::context::both;
use crate::error::IntoGql;
use crate::scalars::Timestamp;
use domain::policy::Op;
use services::export::{Dataset, policy};

/// What the anonymised exports offer. ANALYST and ADMIN.
#[derive(SimpleObject)]
pub struct ExportCatalog {
    /// The id of the adopted policy's pseudonym key: pseudonyms join across files of the same
    /// key id, which are files of one policy. Empty while no policy is adopted.
    pub key_id: String,
    /// Every published combination of quasi-identifiers occurs at least this often (the
    /// adopted policy's k; the server's default for proposals while none is adopted).
    pub k: i32,
    /// The adopted policy every file is released under; `null` until an administrator adopts
    /// one, and downloads answer CONFLICT until then.
    pub policy: Option<ExportPolicy>,
    /// `csv` and `jsonl`.
    pub formats: Vec<String>,
    /// The datasets.
    pub datasets: Vec<ExportDataset>,
}

/// One dataset of `GET /exports/{name}?format=csv|jsonl[&city=SLUG]`.
#[derive(SimpleObject)]
pub struct ExportDataset {
    /// The `{dataset}` of the path.
    pub name: String,
    /// The path to download it from.
    pub path: String,
    /// What a row is.
    pub description: String,
    /// Its columns, in file order.
    pub columns: Vec<ExportColumn>,
}

/// What a column holds, for the catalog.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "services::export::ColumnKind")]
pub enum ColumnKind {
    /// A keyed pseudonym of a record: joinable within one export key, meaningless without it.
    Pseudonym,
    /// A generalised fact that, combined with others, could single a person out; k-anonymity
    /// is enforced on these together.
    QuasiIdentifier,
    /// A fact about the record or event (status, scores, outcomes).
    Attribute,
}

/// One column of a dataset.
#[derive(SimpleObject)]
pub struct ExportColumn {
    /// The header name (CSV) or key (JSON Lines).
    pub name: String,
    /// Pseudonym, quasi-identifier or attribute.
    pub kind: ColumnKind,
    /// What it holds.
    pub description: String,
}

#[derive(Default)]
pub struct ExportQuery;

#[Object]
impl ExportQuery {
    /// The export catalog. ANALYST and ADMIN.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn export_catalog(&self, ctx: &Context<'_>) -> async_graphql::Result<ExportCatalog> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            p.scope_for(Op::Export)?;
            let adopted = policy::current(&state.db).await?;
            Ok(ExportCatalog {
                key_id: adopted.as_ref().map(|a| policy::release_key_id(&state.export_key, a)).unwrap_or_default(),
                k: adopted.as_ref().map_or(state.settings.export_k as i32, |a| a.k),
                policy: adopted.map(|a| ExportPolicy::new(a, &state.export_key)),
                formats: vec!["csv".into(), "jsonl".into()],
                datasets: Dataset::ALL
                    .iter()
                    .map(|d| ExportDataset {
                        name: d.name().into(),
                        path: format!("/exports/{}", d.name()),
                        description: d.description().into(),
                        columns: d
                            .columns()
                            .iter()
                            .map(|c| ExportColumn {
                                name: c.name.into(),
                                kind: c.kind.into(),
                                description: c.description.into(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
        };
        run.await.gql()
    }
}

/// One recoding of every quasi-identifier of the anonymised files, and once adopted the release
/// it was checked on. See README, "For analysts".
pub struct ExportPolicy {
    model: entity::export_policy::Model,
    key_id: String,
}

impl ExportPolicy {
    fn new(model: entity::export_policy::Model, master: &services::export::ExportKey) -> Self {
        let key_id = policy::release_key_id(master, &model);
        Self { model, key_id }
    }
}

/// How coarse one quasi-identifier is under a policy.
#[derive(SimpleObject)]
pub struct ExportPolicyLevel {
    /// `households` or `groups`.
    pub part: String,
    /// The quasi-identifier (`age_band`, `event_period`, ...).
    pub column: String,
    /// 0 is the finest.
    pub level: i32,
    /// What the level means (`10 years`, `quarter`, `withheld`).
    pub meaning: String,
}

/// Rows of one dataset a policy releases or would release.
#[derive(SimpleObject)]
pub struct ExportPolicyCount {
    /// The dataset.
    pub dataset: String,
    /// Rows in its files.
    pub rows: i32,
    /// Rows withheld: in a class smaller than k, or linked to a household or group that is.
    pub withheld: i32,
}

fn counts(totals: &serde_json::Value) -> Vec<ExportPolicyCount> {
    Dataset::ALL
        .iter()
        .map(|d| ExportPolicyCount {
            dataset: d.name().to_owned(),
            rows: totals[d.name()]["rows"].as_i64().unwrap_or(0) as i32,
            withheld: totals[d.name()]["withheld"].as_i64().unwrap_or(0) as i32,
        })
        .collect()
}

#[Object]
impl ExportPolicy {
    /// The version: 1, 2, ...; files name it (`samenhier-newcomers-all-policy3.csv`).
    async fn version(&self) -> i32 {
        self.model.version
    }
    /// `PROPOSED`, `ADOPTED` (at most one policy) or `RETIRED`.
    async fn state(&self) -> &str {
        &self.model.state
    }
    /// Every published combination of quasi-identifiers occurs at least this often.
    async fn k(&self) -> i32 {
        self.model.k
    }
    /// The id of this policy's own pseudonym key (derived from the server's export key; kept
    /// as it was when the release was made).
    async fn key_id(&self) -> &str {
        &self.key_id
    }
    /// How coarse each quasi-identifier is.
    async fn levels(&self) -> Vec<ExportPolicyLevel> {
        let r = policy::recoding(&self.model);
        let mut out = Vec::new();
        for (part, names, levels, words) in [
            (
                "households",
                &anonymise::generalise::PERSON_QI[..],
                &r.households,
                &anonymise::generalise::PERSON_LEVEL_NAMES[..],
            ),
            ("groups", &anonymise::generalise::GROUP_QI[..3], &r.groups, &anonymise::generalise::GROUP_LEVEL_NAMES[..]),
        ] {
            for ((name, level), words) in names.iter().zip(levels.iter()).zip(words).skip(1) {
                out.push(ExportPolicyLevel {
                    part: part.to_owned(),
                    column: (*name).to_owned(),
                    level: *level as i32,
                    meaning: words.get(*level).copied().unwrap_or("?").to_owned(),
                });
            }
        }
        out
    }
    /// The countries of origin named as themselves (the others as their UN sub-region) at the
    /// finest origin level.
    async fn countries(&self) -> Vec<String> {
        self.model
            .countries
            .as_array()
            .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
    /// Why it was proposed.
    async fn note(&self) -> Option<&str> {
        self.model.note.as_deref()
    }
    /// What it would have released on the day it was proposed.
    async fn preview(&self) -> Vec<ExportPolicyCount> {
        counts(&self.model.preview)
    }
    /// What its release holds, over every city; empty until adopted.
    async fn released(&self) -> Vec<ExportPolicyCount> {
        self.model.counts.as_ref().map(|c| counts(&policy::totals(c))).unwrap_or_default()
    }
    /// When it was proposed.
    async fn proposed_at(&self) -> Timestamp {
        Timestamp(self.model.proposed_at)
    }
    /// When an administrator adopted it (and its release was made).
    async fn adopted_at(&self) -> Option<Timestamp> {
        self.model.adopted_at.map(Timestamp)
    }
    /// When a later policy replaced it.
    async fn retired_at(&self) -> Option<Timestamp> {
        self.model.retired_at.map(Timestamp)
    }
}

#[derive(Default)]
pub struct ExportPolicyQuery;

#[Object]
impl ExportPolicyQuery {
    /// Every export policy, newest first. ANALYST and ADMIN.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn export_policies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ExportPolicy>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            p.scope_for(Op::Export)?;
            Ok(policy::list(&state.db).await?.into_iter().map(|m| ExportPolicy::new(m, &state.export_key)).collect())
        };
        run.await.gql()
    }
}

/// A quasi-identifier at a level chosen by hand.
#[derive(async_graphql::InputObject)]
pub struct ExportLevelInput {
    /// The quasi-identifier (`gender`, `dutch_level`, `event_period`, `member_count`, ...;
    /// `exportPolicies { levels { column } }` lists them).
    pub column: String,
    /// 0 is the finest.
    pub level: i32,
}

#[derive(Default)]
pub struct ExportPolicyMutation;

#[Object]
impl ExportPolicyMutation {
    /// Searches the least generalised recoding that keeps every class of the joined datasets
    /// at k or more on today's data and stores it as a PROPOSED policy with a preview of what
    /// it would release (the same search as `samenhier export plan`). ADMIN.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn propose_export_policy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The k to reach; the server's SAMENHIER_EXPORT_K when omitted (2 to 100).")] k: Option<i32>,
        #[graphql(
            desc = "Quasi-identifiers whose level is fixed by hand (e.g. gender at 0, as recorded); the search chooses the others."
        )]
        keep: Option<Vec<ExportLevelInput>>,
        #[graphql(
            desc = "Share of rows the search may withhold rather than coarsen a column, 0 to 0.5 (default 0.05)."
        )]
        max_withheld: Option<f64>,
        #[graphql(desc = "Why (at most 500 characters).")] note: Option<String>,
    ) -> async_graphql::Result<ExportPolicy> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            p.scope_for(Op::ExportPolicy)?;
            let bad_k =
                |k: i32| domain::error::AppError::bad_input("k", format!("k must be between 2 and 100, got {k}"));
            let k = match k {
                None => state.settings.export_k,
                Some(k) => usize::try_from(k).map_err(|_| bad_k(k))?,
            };
            let mut ask = services::export::datasets::Ask::standard(k);
            for l in keep.unwrap_or_default() {
                let level = usize::try_from(l.level).map_err(|_| {
                    domain::error::AppError::bad_input(
                        "keep",
                        format!("{}: a level is 0 or more, got {}", l.column, l.level),
                    )
                })?;
                ask.fixed.insert(l.column, level);
            }
            if let Some(share) = max_withheld {
                ask.suppression = share;
            }
            let model = policy::propose(&state.db, Some(p), ask, note, state.settings.today()).await?;
            Ok(ExportPolicy::new(model, &state.export_key))
        };
        run.await.gql()
    }

    /// Adopts a PROPOSED policy: makes its release on today's data (k-anonymity checked once on
    /// the join of every dataset), retires the policy adopted before and deletes its stored
    /// rows. From then on every download is a selection of this release, under this policy's
    /// own pseudonym key. ADMIN; audited.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn adopt_export_policy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version of a PROPOSED policy.")] version: i32,
    ) -> async_graphql::Result<ExportPolicy> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let model = policy::adopt(&state.db, p, &state.export_key, version, state.settings.today()).await?;
            Ok(ExportPolicy::new(model, &state.export_key))
        };
        run.await.gql()
    }
}

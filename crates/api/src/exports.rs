//! The export catalog: which datasets exist, their columns, and the key in use, so a notebook
//! can discover what `GET /exports/{dataset}` gives.

use crate::DB_COST;
use async_graphql::{Context, Object, SimpleObject};

use crate::context::both;
use crate::error::IntoGql;
use domain::policy::Op;
use services::export::Dataset;

/// What the anonymised exports offer. ANALYST and ADMIN.
#[derive(SimpleObject)]
pub struct ExportCatalog {
    /// The id of the pseudonym key in use: pseudonyms join across exports of the same key id.
    pub key_id: String,
    /// Every published combination of quasi-identifiers occurs at least this often.
    pub k: i32,
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
            Ok(ExportCatalog {
                key_id: state.export_key.id().to_owned(),
                k: state.settings.export_k as i32,
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

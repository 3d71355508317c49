//! Research projects under an agreement, the datasets they may be approved for, and research
//! consent. Extracts are downloaded from `GET /research/{project}/{dataset}`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use crate::DB_COST;
use crate::context::both;
use crate::error::IntoGql;
use crate::groups::GroupMember;
use crate::newcomers::Newcomer;
use crate::scalars::{Date, Timestamp};
use domain::policy::Op;
use services::research::{self as svc, ResearchDataset};

/// A person's research consent: when it was given and to which version of the research
/// information.
#[derive(SimpleObject)]
pub struct ResearchConsent {
    /// When consent was given.
    pub given_at: Timestamp,
    /// The version of the research information agreed to.
    pub version: String,
}

impl ResearchConsent {
    pub(crate) fn of(at: Option<chrono::DateTime<chrono::Utc>>, version: Option<&str>) -> Option<Self> {
        at.map(|at| ResearchConsent { given_at: Timestamp(at), version: version.unwrap_or_default().to_owned() })
    }
}

/// A dataset research projects may be approved for.
#[derive(SimpleObject)]
pub struct ResearchDatasetInfo {
    /// The `{dataset}` of `/research/{project}/{dataset}`.
    pub name: String,
    /// What a row is, and whose consent it needs.
    pub description: String,
    /// Every column it has, in file order.
    pub columns: Vec<ResearchColumn>,
}

/// One column of a research dataset.
#[derive(SimpleObject)]
pub struct ResearchColumn {
    /// The header name (CSV) or key (JSON Lines).
    pub name: String,
    /// What it holds.
    pub description: String,
}

/// The columns a project is approved for in one dataset.
#[derive(SimpleObject)]
pub struct ResearchApproval {
    /// The dataset.
    pub dataset: String,
    /// Its approved columns, in file order.
    pub columns: Vec<String>,
    /// Where to download it.
    pub path: String,
}

/// One extract downloaded under a project.
#[derive(SimpleObject)]
pub struct ResearchDownload {
    /// The download id that marks every row of the file.
    pub id: ID,
    /// The dataset.
    pub dataset: String,
    /// `csv` or `jsonl`.
    pub format: String,
    /// Rows in the file.
    pub rows: i32,
    /// The researcher's account.
    pub user_id: ID,
    /// When.
    pub at: Timestamp,
}

/// A researcher named in a project.
#[derive(SimpleObject)]
pub struct Researcher {
    /// The account's id.
    pub id: ID,
    /// Its e-mail address.
    pub email: String,
}

/// A research project under a data-sharing agreement.
pub struct ResearchProject(entity::research_project::Model);

#[Object]
impl ResearchProject {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The project's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The agreement's reference.
    async fn agreement_reference(&self) -> &str {
        &self.0.agreement_reference
    }
    /// What the data is for.
    async fn purpose(&self) -> &str {
        &self.0.purpose
    }
    /// The first day extracts may be downloaded.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// The last day extracts may be downloaded.
    async fn ends_on(&self) -> Date {
        Date(self.0.ends_on)
    }
    /// The approved datasets and columns.
    async fn datasets(&self) -> Vec<ResearchApproval> {
        svc::approvals(&self.0)
            .into_iter()
            .map(|(d, columns)| ResearchApproval {
                dataset: d.name().to_owned(),
                columns,
                path: format!("/research/{}/{}", self.0.id, d.name()),
            })
            .collect()
    }
    /// The id of the project's own pseudonym key: its extracts join with each other, never with
    /// the anonymised files or another project's extracts.
    async fn key_id(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let state = ctx.data::<std::sync::Arc<crate::state::AppState>>()?;
        Ok(svc::key(&state.export_key, &self.0.id).id().to_owned())
    }
    /// The researchers (ANALYST accounts) named in it.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn researchers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Researcher>> {
        let run = async {
            let (state, _p, _turn) = both(ctx).await?;
            Ok(svc::researchers(&state.db, &self.0.id)
                .await?
                .into_iter()
                .map(|u| Researcher { id: ID(u.id), email: u.email })
                .collect())
        };
        run.await.gql()
    }
    /// Every extract downloaded under it, newest first.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn downloads(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ResearchDownload>> {
        let run = async {
            let (state, _p, _turn) = both(ctx).await?;
            Ok(svc::downloads(&state.db, &self.0.id)
                .await?
                .into_iter()
                .map(|d| ResearchDownload {
                    id: ID(d.id),
                    dataset: d.dataset,
                    format: d.format,
                    rows: d.rows,
                    user_id: ID(d.user_id),
                    at: Timestamp(d.created_at),
                })
                .collect())
        };
        run.await.gql()
    }
}

/// The columns of one dataset to approve.
#[derive(InputObject)]
pub struct ResearchApprovalInput {
    /// The dataset (`researchDatasets` lists them).
    pub dataset: String,
    /// Its columns to approve; empty or left out: every column.
    #[graphql(default)]
    pub columns: Vec<String>,
}

/// A research project, as an ADMIN registers or changes it.
#[derive(InputObject)]
pub struct ResearchProjectInput {
    /// The project's name (1 to 200 characters).
    pub name: String,
    /// The agreement's reference (1 to 200 characters).
    pub agreement_reference: String,
    /// What the data is for (1 to 2000 characters).
    pub purpose: String,
    /// The approved datasets and columns (at least one).
    pub datasets: Vec<ResearchApprovalInput>,
    /// The first day extracts may be downloaded.
    pub starts_on: Date,
    /// The last day (on or after `startsOn`).
    pub ends_on: Date,
    /// The researchers: enabled ANALYST accounts (at least one).
    pub researcher_ids: Vec<ID>,
}

impl From<ResearchProjectInput> for svc::ProjectInput {
    fn from(i: ResearchProjectInput) -> Self {
        svc::ProjectInput {
            name: i.name,
            agreement_reference: i.agreement_reference,
            purpose: i.purpose,
            datasets: i.datasets.into_iter().map(|d| (d.dataset, d.columns)).collect(),
            starts_on: i.starts_on.0,
            ends_on: i.ends_on.0,
            researcher_ids: i.researcher_ids.into_iter().map(|id| id.0).collect(),
        }
    }
}

#[derive(Default)]
pub struct ResearchQuery;

#[Object]
impl ResearchQuery {
    /// The research projects: ADMIN every one, an ANALYST those naming them.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn research_projects(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ResearchProject>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Ok(svc::list(&state.db, p).await?.into_iter().map(ResearchProject).collect())
        };
        run.await.gql()
    }

    /// The datasets a project may be approved for, with every column. ADMIN and ANALYST.
    async fn research_datasets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ResearchDatasetInfo>> {
        let run = async {
            let (_state, p, _turn) = both(ctx).await?;
            if p.scope_for(Op::ResearchProjects).is_err() {
                p.scope_for(Op::ResearchExtract)?;
            }
            Ok(ResearchDataset::ALL
                .iter()
                .map(|d| ResearchDatasetInfo {
                    name: d.name().to_owned(),
                    description: d.description().to_owned(),
                    columns: d
                        .columns()
                        .iter()
                        .map(|(n, m)| ResearchColumn { name: (*n).to_owned(), description: (*m).to_owned() })
                        .collect(),
                })
                .collect())
        };
        run.await.gql()
    }
}

#[derive(Default)]
pub struct ResearchMutation;

#[Object]
impl ResearchMutation {
    /// Registers a research project (ADMIN; audited).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn register_research_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project.")] input: ResearchProjectInput,
    ) -> async_graphql::Result<ResearchProject> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Ok(ResearchProject(svc::register(&state.db, p, input.into()).await?))
        };
        run.await.gql()
    }

    /// Changes a research project: every field is replaced (ADMIN; audited). An earlier end
    /// date or a dataset taken away refuses later downloads at once.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn update_research_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the project.")] id: ID,
        #[graphql(desc = "The project as it is to be.")] input: ResearchProjectInput,
    ) -> async_graphql::Result<ResearchProject> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Ok(ResearchProject(svc::update(&state.db, p, &id, input.into()).await?))
        };
        run.await.gql()
    }

    /// Records that a household gave research consent (with the version of the research
    /// information) or withdrew it (removed from every later extract). Staff of its city.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn set_research_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the household.")] newcomer_id: ID,
        #[graphql(desc = "True: consent given; false: withdrawn.")] consent: bool,
        #[graphql(desc = "The version of the research information agreed to; required when giving consent.")]
        version: Option<String>,
    ) -> async_graphql::Result<Newcomer> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let model = svc::set_newcomer_consent(&state.db, p, &newcomer_id, consent, version.as_deref()).await?;
            Newcomer::scoped(&state.db, model, p).await
        };
        run.await.gql()
    }

    /// The same for a group member. Staff of the group's city and its coordinator.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn set_member_research_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the group member.")] member_id: ID,
        #[graphql(desc = "True: consent given; false: withdrawn.")] consent: bool,
        #[graphql(desc = "The version of the research information agreed to; required when giving consent.")]
        version: Option<String>,
    ) -> async_graphql::Result<GroupMember> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let model = svc::set_member_consent(&state.db, p, &member_id, consent, version.as_deref()).await?;
            Ok(GroupMember { model, contact: p.role != domain::enums::Role::Partner })
        };
        run.await.gql()
    }
}

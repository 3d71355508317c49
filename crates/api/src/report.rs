//! `programmeReport`: the programme in numbers over a period, for funders and the programme.

use async_graphql::{Context, Object, SimpleObject};

use crate::DB_COST;
use crate::context::both;
use crate::error::IntoGql;
use crate::scalars::Date;
use crate::year::{ReasonCount, SuppressibleCount};
use services::report;

/// Activities of one kind logged in the period.
#[derive(SimpleObject)]
pub struct KindCount {
    /// The kind of activity (an `ActivityKind` value).
    pub kind: String,
    /// How many were logged.
    pub count: SuppressibleCount,
}

/// The check-ins of one month and view recorded in the period.
#[derive(SimpleObject)]
pub struct ReportCheckIn {
    /// 3, 6 or 12; 0 for the exit check-in after an early end.
    pub month: i32,
    /// "GROUP" (recorded by the group's coordinator) or "HOUSEHOLD" (the household's own).
    pub view: String,
    /// How many were recorded.
    pub count: SuppressibleCount,
    /// Mean satisfaction, 1-5: the household's own in its view, the group's in the group's;
    /// null where fewer than 5 for an ANALYST.
    pub mean_satisfaction: Option<f64>,
    /// Mean number of people the household counts on; null where fewer than 5 for an ANALYST.
    pub mean_network_size: Option<f64>,
}

/// One city's figures over the period, or the total's.
#[derive(SimpleObject)]
pub struct ReportFigures {
    /// The city's slug; null for the total of the cities asked for.
    pub city_slug: Option<String>,
    /// Matches proposed in the period (by a round or by hand).
    pub proposed: SuppressibleCount,
    /// Matches whose year started in the period.
    pub started: SuppressibleCount,
    /// Matches under way on the period's last day.
    pub active_at_end: SuppressibleCount,
    /// Matches that completed their year in the period.
    pub completed: SuppressibleCount,
    /// Matches that ended early in the period.
    pub ended_early: SuppressibleCount,
    /// Those by reason code.
    pub ended_early_by_reason: Vec<ReasonCount>,
    /// Households waiting for a group today (not at the period's end: waiting is not kept as
    /// a history).
    pub waiting_now: SuppressibleCount,
    /// Their median days waiting so far; null where suppressed.
    pub median_waiting_days: Option<f64>,
    /// Check-ins recorded in the period, per month and view.
    pub check_ins: Vec<ReportCheckIn>,
    /// Activities logged in the period, per kind.
    pub activities_by_kind: Vec<KindCount>,
}

impl From<report::Figures> for ReportFigures {
    fn from(f: report::Figures) -> Self {
        Self {
            city_slug: f.city,
            proposed: f.proposed.into(),
            started: f.started.into(),
            active_at_end: f.active_at_end.into(),
            completed: f.completed.into(),
            ended_early: f.ended_early.into(),
            ended_early_by_reason: f
                .ended_early_by_reason
                .into_iter()
                .map(|(reason, c)| ReasonCount { reason, count: c.into() })
                .collect(),
            waiting_now: f.waiting_now.into(),
            median_waiting_days: f.median_waiting_days,
            check_ins: f
                .check_ins
                .into_iter()
                .map(|c| ReportCheckIn {
                    month: c.month,
                    view: c.view.to_owned(),
                    count: c.count.into(),
                    mean_satisfaction: c.mean_satisfaction,
                    mean_network_size: c.mean_network_size,
                })
                .collect(),
            activities_by_kind: f
                .activities_by_kind
                .into_iter()
                .map(|(kind, c)| KindCount { kind, count: c.into() })
                .collect(),
        }
    }
}

/// The programme in numbers over a period. For an ANALYST counts below 5 are suppressed
/// (and where one city's count is suppressed beside the total, the smallest other city's too).
#[derive(SimpleObject)]
pub struct ProgrammeReport {
    /// The period's first day.
    pub from: Date,
    /// The period's last day.
    pub to: Date,
    /// One entry per city asked for, by slug.
    pub cities: Vec<ReportFigures>,
    /// The cities together.
    pub total: ReportFigures,
}

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// The programme in numbers from `from` to `to` (both included, at most ten years): ADMIN
    /// and ANALYST any cities, a CITY_ADMIN their own. Also as CSV:
    /// `GET /reports/programme.csv?from=…&to=…&cities=almere,haarlem`.
    #[graphql(complexity = "child_complexity + 5 * DB_COST")]
    async fn programme_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The period's first day.")] from: Date,
        #[graphql(desc = "The period's last day (not before `from`).")] to: Date,
        #[graphql(desc = "The cities; omitted, null or empty for every city the caller may read.")] city_slugs: Option<
            Vec<String>,
        >,
    ) -> async_graphql::Result<ProgrammeReport> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let r = report::programme_report(
                &state.db,
                state.settings.today(),
                p,
                from.0,
                to.0,
                &city_slugs.unwrap_or_default(),
            )
            .await?;
            Ok(ProgrammeReport {
                from: r.from.into(),
                to: r.to.into(),
                cities: r.cities.into_iter().map(Into::into).collect(),
                total: r.total.into(),
            })
        };
        run.await.gql()
    }
}

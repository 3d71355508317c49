//! `GET /reports/programme.csv?from=YYYY-MM-DD&to=YYYY-MM-DD[&cities=almere,haarlem]`: the
//! programme report (`programmeReport`) as CSV, with the same rights and suppression, for
//! funders' spreadsheets. The token goes in the Authorization header, as for exports.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;

use api::state::AppState;
use domain::error::{AppError, REQUEST_ID};
use services::{report, users};

fn date(params: &HashMap<String, String>, name: &str) -> Result<NaiveDate, AppError> {
    let v = params.get(name).ok_or_else(|| AppError::bad_input(name, "is required (YYYY-MM-DD)"))?;
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| AppError::bad_input(name, format!("{v:?} is not a date of the form YYYY-MM-DD")))
}

pub async fn programme_csv(req: HttpRequest, state: web::Data<Arc<AppState>>) -> HttpResponse {
    let request_id = uuid::Uuid::new_v4().to_string();
    let answer = REQUEST_ID
        .scope(request_id.clone(), async {
            let token = crate::graphql_http::bearer_token(&req).ok_or(AppError::Unauthenticated)?;
            let p = users::principal_from_token(&state.db, &state.sign_in, &token).await?;
            let params = web::Query::<HashMap<String, String>>::from_query(req.query_string())
                .map_err(|_| AppError::bad_input("query", "use ?from=YYYY-MM-DD&to=YYYY-MM-DD&cities=SLUG,SLUG"))?
                .into_inner();
            if let Some(unknown) = params.keys().find(|k| !["from", "to", "cities"].contains(&k.as_str())) {
                return Err(AppError::bad_input(
                    unknown.clone(),
                    "is not a parameter of the report (from, to, cities)",
                ));
            }
            let cities: Vec<String> = params
                .get("cities")
                .map(|c| c.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default();
            let (from, to) = (date(&params, "from")?, date(&params, "to")?);
            let r = report::programme_report(&state.db, state.settings.today(), &p, from, to, &cities).await?;
            Ok::<_, AppError>(report::to_csv(&r))
        })
        .await;
    match answer {
        Ok(csv) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"programme-report.csv\""))
            .insert_header(("x-request-id", request_id))
            .body(csv),
        Err(e) => crate::export_http::app_error(e, &request_id),
    }
}

//! `GET /research/{project}/{dataset}?format=csv|jsonl`: a research extract, for the
//! researchers named in the project, within its dates, of a dataset it is approved for. Every
//! download gets an id that marks each of its rows (`project_id`, `download_id`), is recorded
//! with the project and audited. Pseudonymised data is personal data: no caching anywhere.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use api::state::AppState;
use domain::error::{AppError, REQUEST_ID};
use services::export::Format;
use services::research::{self, MARKS};
use services::users;

pub async fn download(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<Arc<AppState>>,
) -> HttpResponse {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (project_id, dataset) = path.into_inner();
    let answer = REQUEST_ID
        .scope(request_id.clone(), async {
            let token = crate::graphql_http::bearer_token(&req).ok_or(AppError::Unauthenticated)?;
            let p = users::principal_from_token(&state.db, &state.sign_in, &token).await?;
            let params = web::Query::<HashMap<String, String>>::from_query(req.query_string())
                .map_err(|_| AppError::bad_input("query", "the query string could not be read; use ?format=csv|jsonl"))?
                .into_inner();
            if let Some(unknown) = params.keys().find(|k| k.as_str() != "format") {
                return Err(AppError::bad_input(unknown.clone(), format!("unknown parameter {unknown:?}; use format")));
            }
            let format = match params.get("format").map(|f| f.trim().to_ascii_lowercase()) {
                None => Format::Csv,
                Some(f) => Format::parse(&f)
                    .ok_or_else(|| AppError::bad_input("format", format!("format must be csv or jsonl, got {f:?}")))?,
            };
            let today = state.settings.today();
            let (project, dataset, columns) = research::check_download(&state.db, &p, &project_id, &dataset, today).await?;
            let key = research::key(&state.export_key, &project.id);
            let download_id = uuid::Uuid::new_v4().to_string();
            let snapshot = services::db::begin_snapshot(&state.db).await?;
            let rows = research::extract(&snapshot, dataset, &columns, &key, [&project.id, &download_id], today).await?;
            snapshot.commit().await?;
            research::record_download(&state.db, &p, &project, dataset, format.name(), rows.len(), &download_id, key.id())
                .await?;
            let mut names: Vec<&str> = MARKS.to_vec();
            names.extend(columns.iter().map(String::as_str));
            let mut body = format.header(&names);
            for row in &rows {
                format.write_row(&names, row, &mut body);
            }
            tracing::info!(request_id = %request_id, project = %project.id, dataset = dataset.name(), rows = rows.len(), "research extract");
            Ok::<_, AppError>((body, project.id, dataset, download_id, rows.len(), key.id().to_owned(), format))
        })
        .await;
    match answer {
        Ok((body, project, dataset, download_id, rows, key_id, format)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, format.content_type()))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"research-{project}-{}-{download_id}.{}\"",
                    dataset.name(),
                    format.name()
                ),
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header(("x-request-id", request_id))
            .insert_header(("x-research-project", project))
            .insert_header(("x-research-download-id", download_id))
            .insert_header(("x-export-rows", rows.to_string()))
            .insert_header(("x-export-key-id", key_id))
            .body(body),
        Err(e) => crate::export_http::app_error(e, &request_id),
    }
}

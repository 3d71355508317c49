//! `GET /exports/{dataset}`: checks the caller and the parameters, plans k-anonymity (pass one),
//! writes the audit entry, then streams the rows page by page (pass two).

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::TransactionTrait;
use serde_json::json;

use api::state::AppState;
use domain::error::{AppError, REQUEST_ID};
use domain::policy::Op;
use services::export::datasets::{self, Dataset, Planned};
use services::export::{ExportKey, Format};
use services::{audit, users};

fn error(status: StatusCode, code: &str, field: Option<&str>, message: &str, request_id: &str) -> HttpResponse {
    let mut extensions = json!({ "code": code, "requestId": request_id });
    if let Some(f) = field {
        extensions["field"] = json!(f);
    }
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
        .insert_header(("x-request-id", request_id))
        .body(json!({ "errors": [{ "message": message, "extensions": extensions }] }).to_string())
}

pub(crate) fn app_error(e: AppError, request_id: &str) -> HttpResponse {
    let status = match &e {
        AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::BadInput { .. } | AppError::Script { .. } => StatusCode::BAD_REQUEST,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let field = match &e {
        AppError::BadInput { field, .. } => Some(field.clone()),
        _ => None,
    };
    let code = e.code();
    let message = e.public_message(request_id);
    if let AppError::Internal(inner) = e {
        tracing::error!(request_id = %request_id, error = %format!("{inner:#}"), "export failed");
    }
    let mut resp = error(status, code, field.as_deref(), &message, request_id);
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    }
    resp
}

/// What a checked request asks for.
struct Ask {
    dataset: Dataset,
    format: Format,
    city: Option<String>,
}

async fn check(
    req: &HttpRequest,
    dataset: &str,
    state: &AppState,
) -> Result<(domain::policy::Principal, Ask), AppError> {
    let token = crate::graphql_http::bearer_token(req).ok_or(AppError::Unauthenticated)?;
    let p = users::principal_from_token(&state.db, &state.sign_in, &token).await?;
    p.scope_for(Op::Export)?;
    let dataset = Dataset::parse(dataset).ok_or_else(|| {
        let names: Vec<&str> = Dataset::ALL.iter().map(|d| d.name()).collect();
        AppError::bad_input("dataset", format!("there is no dataset {dataset:?}; use one of {}", names.join(", ")))
    })?;
    let params = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map_err(|_| {
            AppError::bad_input("query", "the query string could not be read; use ?format=csv|jsonl&city=SLUG")
        })?
        .into_inner();
    if let Some(unknown) = params.keys().find(|k| !["format", "city"].contains(&k.as_str())) {
        return Err(AppError::bad_input(
            unknown.clone(),
            format!("unknown parameter {unknown:?}; use format and city"),
        ));
    }
    let format = match params.get("format").map(|f| f.trim().to_ascii_lowercase()) {
        None => Format::Csv,
        Some(f) => Format::parse(&f)
            .ok_or_else(|| AppError::bad_input("format", format!("format must be csv or jsonl, got {f:?}")))?,
    };
    let city = match params.get("city").map(|c| c.trim().to_lowercase()) {
        None => None,
        Some(c) => {
            use sea_orm::EntityTrait;
            if entity::city::Entity::find_by_id(c.clone()).one(&state.db).await?.is_none() {
                return Err(AppError::bad_input("city", format!("there is no city {c:?}")));
            }
            Some(c)
        }
    };
    Ok((p, Ask { dataset, format, city }))
}

/// `GET /exports`: the datasets, their formats and where to get them (no token needed: it
/// names no data; each download checks the token).
pub async fn index() -> HttpResponse {
    let datasets: Vec<serde_json::Value> = Dataset::ALL
        .iter()
        .map(|d| {
            json!({
                "name": d.name(),
                "url": format!("/exports/{}", d.name()),
                "formats": ["csv", "jsonl"],
                "columns": d.columns().iter().map(|c| c.name).collect::<Vec<_>>(),
            })
        })
        .collect();
    HttpResponse::Ok().content_type("application/json").body(
        json!({ "datasets": datasets, "query": "?format=csv|jsonl&city=SLUG", "catalog": "exportCatalog in GraphQL" })
            .to_string(),
    )
}

/// The handler.
pub async fn download(req: HttpRequest, path: web::Path<String>, state: web::Data<Arc<AppState>>) -> HttpResponse {
    let request_id = uuid::Uuid::new_v4().to_string();
    let state = Arc::clone(&state);
    let rid = request_id.clone();
    let prepared = REQUEST_ID
        .scope(rid.clone(), async {
            let (p, ask) = check(&req, &path, &state).await?;
            let k = state.settings.export_k;
            // Planned and streamed from one snapshot: a change in between could otherwise put
            // a class below k into the file (PostgreSQL: REPEATABLE READ, read-only; SQLite's
            // read transaction in WAL mode keeps the snapshot of its first read).
            let snapshot = match state.db.get_database_backend() {
                sea_orm::DatabaseBackend::Postgres => {
                    state
                        .db
                        .begin_with_config(
                            Some(sea_orm::IsolationLevel::RepeatableRead),
                            Some(sea_orm::AccessMode::ReadOnly),
                        )
                        .await?
                }
                _ => state.db.begin().await?,
            };
            let (planned, rows, suppressed) = datasets::plan(&snapshot, ask.dataset, ask.city.as_deref(), k).await?;
            let generalisation = planned.describe();
            audit::record(
                &state.db,
                Some(&p),
                audit::Entry {
                    action: "export.download",
                    entity_type: "export",
                    entity_id: ask.dataset.name(),
                    city: ask.city.as_deref(),
                    details: json!({
                        "dataset": ask.dataset.name(), "format": ask.format.name(), "city": ask.city,
                        "rows": rows, "suppressed": suppressed, "k": k, "keyId": state.export_key.id(),
                        "generalisation": generalisation,
                    }),
                },
            )
            .await?;
            tracing::info!(request_id = %rid, dataset = ask.dataset.name(), rows, suppressed, "export");
            state.metrics.export(ask.dataset.name(), ask.format.name());
            Ok::<_, AppError>((ask, planned, rows, suppressed, generalisation, snapshot))
        })
        .await;
    let (ask, planned, rows, suppressed, generalisation, snapshot) = match prepared {
        Ok(v) => v,
        Err(e) => return app_error(e, &request_id),
    };
    let filename = format!(
        "samenhier-{}-{}-{}.{}",
        ask.dataset.name(),
        ask.city.as_deref().unwrap_or("all"),
        state.settings.today(),
        ask.format.name()
    );
    let body = stream(Arc::clone(&state), snapshot, ask.dataset, ask.format, ask.city, planned, request_id.clone());
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, ask.format.content_type()))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("x-request-id", request_id))
        .insert_header(("x-suppressed-rows", suppressed.to_string()))
        .insert_header(("x-export-rows", rows.to_string()))
        .insert_header(("x-export-key-id", state.export_key.id().to_owned()))
        .insert_header(("x-export-k", state.settings.export_k.to_string()))
        .insert_header(("x-export-generalisation", generalisation))
        .streaming(body)
}

struct Cursor {
    state: Arc<AppState>,
    /// The read transaction the export was planned in; every page reads from it.
    snapshot: sea_orm::DatabaseTransaction,
    planned: Arc<Planned>,
    after: Option<String>,
    started: bool,
    done: bool,
    _in_flight: api::state::InFlightGuard,
}

/// The body: the header line, then one chunk per page. A database failure half-way aborts the
/// response (the client sees an incomplete transfer, never a silently short file).
fn stream(
    state: Arc<AppState>,
    snapshot: sea_orm::DatabaseTransaction,
    dataset: Dataset,
    format: Format,
    city: Option<String>,
    planned: Planned,
    request_id: String,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    // The export is in flight until its last page is sent (a shutdown waits for it).
    let in_flight = state.in_flight.enter();
    let cursor = Cursor {
        state,
        snapshot,
        planned: Arc::new(planned),
        after: None,
        started: false,
        done: false,
        _in_flight: in_flight,
    };
    futures_util::stream::unfold(cursor, move |mut c| {
        let city = city.clone();
        let request_id = request_id.clone();
        async move {
            if c.done {
                return None;
            }
            if !c.started {
                c.started = true;
                let header = format.header(dataset);
                if !header.is_empty() {
                    return Some((Ok(web::Bytes::from(header)), c));
                }
            }
            let today = c.state.settings.today();
            let key: &ExportKey = &c.state.export_key;
            match datasets::page(&c.snapshot, dataset, city.as_deref(), c.after.as_deref(), key, &c.planned, today)
                .await
            {
                Ok((rows, next)) => {
                    let mut out = String::new();
                    for row in &rows {
                        format.write_row(dataset, row, &mut out);
                    }
                    c.done = next.is_none();
                    c.after = next;
                    Some((Ok(web::Bytes::from(out)), c))
                }
                Err(e) => {
                    if let AppError::Internal(inner) = e {
                        tracing::error!(request_id = %request_id, error = %format!("{inner:#}"), "export stopped half-way");
                    }
                    c.done = true;
                    Some((Err(std::io::Error::other("export stopped half-way")), c))
                }
            }
        }
    })
}

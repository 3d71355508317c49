//! `GET /exports/{dataset}`: checks the caller and the parameters, finds the adopted export
//! policy, writes the audit entry, then streams the policy's stored release rows page by page.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use api::state::AppState;
use domain::error::{AppError, REQUEST_ID};
use domain::policy::Op;
use services::export::datasets::{self, Cell, Dataset};
use services::export::{Format, policy};
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
            // Counted and streamed from one snapshot: an adoption in between retires the
            // rows being read.
            let snapshot = services::db::begin_snapshot(&state.db).await?;
            let adopted = policy::current(&snapshot).await?.ok_or_else(|| {
                AppError::conflict(
                    "no export policy has been adopted yet: an administrator proposes one (`samenhier export plan` or proposeExportPolicy) and adopts it (adoptExportPolicy)",
                )
            })?;
            let counts = adopted.counts.clone().unwrap_or_default();
            let (rows, suppressed) = policy::scope_counts(&counts, ask.dataset, ask.city.as_deref());
            let generalisation = policy::recoding(&adopted).describe();
            let key_id = policy::release_key_id(&state.export_key, &adopted);
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
                        "rows": rows, "suppressed": suppressed, "k": adopted.k, "keyId": key_id,
                        "policyVersion": adopted.version, "generalisation": generalisation,
                    }),
                },
            )
            .await?;
            tracing::info!(request_id = %rid, dataset = ask.dataset.name(), rows, suppressed, policy = adopted.version, "export");
            state.metrics.export(ask.dataset.name(), ask.format.name());
            Ok::<_, AppError>((ask, adopted, rows, suppressed, generalisation, key_id, snapshot))
        })
        .await;
    let (ask, adopted, rows, suppressed, generalisation, key_id, snapshot) = match prepared {
        Ok(v) => v,
        Err(e) => return app_error(e, &request_id),
    };
    let filename = format!(
        "samenhier-{}-{}-policy{}.{}",
        ask.dataset.name(),
        ask.city.as_deref().unwrap_or("all"),
        adopted.version,
        ask.format.name()
    );
    let body =
        stream(Arc::clone(&state), snapshot, ask.dataset, ask.format, ask.city, adopted.version, request_id.clone());
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, ask.format.content_type()))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("x-request-id", request_id))
        .insert_header(("x-suppressed-rows", suppressed.to_string()))
        .insert_header(("x-export-rows", rows.to_string()))
        .insert_header(("x-export-key-id", key_id))
        .insert_header(("x-export-k", adopted.k.to_string()))
        .insert_header(("x-export-policy-version", adopted.version.to_string()))
        .insert_header(("x-export-generalisation", generalisation))
        .streaming(body)
}

struct Cursor {
    /// The read transaction the export was counted in; every page reads from it.
    snapshot: sea_orm::DatabaseTransaction,
    after: Option<i32>,
    started: bool,
    done: bool,
    _in_flight: api::state::InFlightGuard,
}

/// The body: the header line, then one chunk per page of stored rows. A database failure
/// half-way aborts the response (the client sees an incomplete transfer, never a silently short
/// file).
fn stream(
    state: Arc<AppState>,
    snapshot: sea_orm::DatabaseTransaction,
    dataset: Dataset,
    format: Format,
    city: Option<String>,
    version: i32,
    request_id: String,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    // The export is in flight until its last page is sent (a shutdown waits for it).
    let in_flight = state.in_flight.enter();
    let cursor = Cursor { snapshot, after: None, started: false, done: false, _in_flight: in_flight };
    let names = dataset.names();
    futures_util::stream::unfold(cursor, move |mut c| {
        let city = city.clone();
        let request_id = request_id.clone();
        let names = names.clone();
        async move {
            if c.done {
                return None;
            }
            if !c.started {
                c.started = true;
                let header = format.header(&dataset.names());
                if !header.is_empty() {
                    return Some((Ok(web::Bytes::from(header)), c));
                }
            }
            match policy::page(&c.snapshot, version, dataset, city.as_deref(), c.after).await {
                Ok(rows) => {
                    let mut out = String::new();
                    for row in &rows {
                        let cells: Vec<Cell> =
                            row.row.as_array().map(|a| a.iter().map(Cell::from_json).collect()).unwrap_or_default();
                        format.write_row(&names, &cells, &mut out);
                    }
                    c.done = (rows.len() as u64) < datasets::PAGE;
                    c.after = rows.last().map(|r| r.ordinal);
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

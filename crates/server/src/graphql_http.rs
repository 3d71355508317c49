//! The HTTP transport of GraphQL, written to the GraphQL-over-HTTP specification: content
//! negotiation between `application/graphql-response+json` and `application/json`, status
//! codes by media type, GET for queries only, a body limit checked before parsing, and no
//! batches. The stock async-graphql responder gets all of these wrong in some way.

use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Variables};
use serde::Deserialize;
use serde_json::json;

use api::AppSchema;
use api::context::RequestAuth;
use api::error::IntoGraphql;
use api::response_cache::{self, ResponseCache};
use api::state::AppState;
use domain::error::{AppError, REQUEST_ID};
use services::users;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// What the server state holds for the transport.
pub struct GraphqlEndpoint {
    pub schema: AppSchema,
    pub graphiql: bool,
    /// Answers to read-only queries, valid while nothing has been written since.
    pub cache: ResponseCache,
    /// The schema's field types, to put failed fields in as null (see `response_shape`).
    pub shapes: api::response_shape::Shapes,
    /// The schema's input types, to check variables before anything runs (see `variables`).
    pub input_types: api::variables::InputTypes,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response media type from `Accept`; `None` when nothing acceptable was asked for.
fn negotiate(req: &HttpRequest) -> Option<Media> {
    let Some(accept) = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let mut best: Option<(f32, Media)> = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let mime = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        let media = match mime.as_str() {
            GRAPHQL_RESPONSE => Media::GraphqlResponse,
            JSON | "application/*" | "*/*" => Media::Json,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, media));
        }
    }
    best.map(|(_, m)| m)
}

fn respond(status: StatusCode, media: Media, body: serde_json::Value, request_id: &str) -> HttpResponse {
    respond_bytes(status, media, Bytes::from(body.to_string()), request_id)
}

fn respond_bytes(status: StatusCode, media: Media, body: Bytes, request_id: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, media.content_type()))
        .insert_header(("x-request-id", request_id))
        .body(body)
}

/// A request that is not a well-formed GraphQL-over-HTTP request (bad JSON, missing or
/// mistyped parameters, body too large, ...): an HTTP-level failure for every media type. Only
/// a well-formed request whose document fails to parse or validate answers 200 to
/// `application/json` clients (see `execute`).
fn request_error(status: StatusCode, media: Media, code: &str, message: &str, request_id: &str) -> HttpResponse {
    respond(status, media, json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }), request_id)
}

#[derive(Deserialize)]
struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    extensions: Option<String>,
}

/// `GET /graphql`: GraphiQL without a query (where enabled); otherwise a query, never a
/// mutation (405).
pub async fn get(
    req: HttpRequest,
    state: web::Data<Arc<AppState>>,
    endpoint: web::Data<GraphqlEndpoint>,
) -> HttpResponse {
    let request_id = uuid::Uuid::new_v4().to_string();
    let params = web::Query::<GetParams>::from_query(req.query_string());
    let Some(media) = negotiate(&req) else {
        if endpoint.graphiql && params.as_ref().map(|p| p.query.is_none()).unwrap_or(false) {
            return crate::graphiql::page();
        }
        return not_acceptable(&request_id);
    };
    let params = match params {
        Ok(p) => p.into_inner(),
        Err(_) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                "BAD_REQUEST",
                "the query string is malformed",
                &request_id,
            );
        }
    };
    let Some(query) = params.query else {
        if endpoint.graphiql {
            return crate::graphiql::page();
        }
        return request_error(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", "the request has no query", &request_id);
    };
    let variables = match params.variables.as_deref().map(serde_json::from_str::<serde_json::Value>) {
        None => None,
        Some(Ok(v @ serde_json::Value::Object(_))) => Some(v),
        Some(Ok(serde_json::Value::Null)) => None,
        Some(_) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                "BAD_REQUEST",
                "variables must be a JSON object",
                &request_id,
            );
        }
    };
    // Extensions are accepted (no extension is implemented) but must at least be an object.
    if let Some(ext) = params.extensions.as_deref()
        && !matches!(
            serde_json::from_str::<serde_json::Value>(ext),
            Ok(serde_json::Value::Object(_) | serde_json::Value::Null)
        )
    {
        return request_error(
            StatusCode::BAD_REQUEST,
            media,
            "BAD_REQUEST",
            "extensions must be a JSON object",
            &request_id,
        );
    }
    // Mutations change state; GET must be safe, so only queries run through it.
    if is_mutation(&query, params.operation_name.as_deref()) {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .insert_header((header::CONTENT_TYPE, media.content_type()))
            .insert_header(("x-request-id", request_id.as_str()))
            .body(
                json!({ "errors": [{ "message": "mutations must be sent with POST", "extensions": { "code": "METHOD_NOT_ALLOWED" } }] })
                    .to_string(),
            );
    }
    let mut request = Request::new(query);
    if let Some(op) = params.operation_name {
        request = request.operation_name(op);
    }
    if let Some(v) = variables {
        request = request.variables(Variables::from_json(v));
    }
    execute(&req, &state, &endpoint, request, media, request_id).await
}

fn is_mutation(query: &str, operation_name: Option<&str>) -> bool {
    async_graphql::parser::parse_query(query).is_ok_and(|doc| {
        response_cache::selected_operation(&doc, operation_name).is_some_and(|op| op.ty == OperationType::Mutation)
    })
}

/// Whether the operation asks for `runMatching` or `previewScoringScript` at its top level.
fn runs_a_round(doc: &async_graphql::parser::types::ExecutableDocument, operation_name: Option<&str>) -> bool {
    use async_graphql::parser::types::{DocumentOperations, Selection};
    let ops: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => {
            ops.iter().filter(|(n, _)| operation_name.is_none_or(|o| n.as_str() == o)).map(|(_, op)| op).collect()
        }
    };
    ops.iter().any(|op| {
        op.node.ty == OperationType::Mutation
            && op.node.selection_set.node.items.iter().any(|item| match &item.node {
                Selection::Field(f) => matches!(f.node.name.node.as_str(), "runMatching" | "previewScoringScript"),
                _ => false,
            })
    })
}

fn not_acceptable(request_id: &str) -> HttpResponse {
    HttpResponse::NotAcceptable()
        .insert_header((header::CONTENT_TYPE, Media::Json.content_type()))
        .insert_header(("x-request-id", request_id))
        .body(
            json!({ "errors": [{ "message": "accept application/graphql-response+json or application/json", "extensions": { "code": "NOT_ACCEPTABLE" } }] })
                .to_string(),
        )
}

#[derive(Deserialize)]
struct PostBody {
    query: Option<serde_json::Value>,
    variables: Option<serde_json::Value>,
    #[serde(rename = "operationName")]
    operation_name: Option<serde_json::Value>,
    extensions: Option<serde_json::Value>,
}

/// `POST /graphql` with a JSON body.
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<Arc<AppState>>,
    endpoint: web::Data<GraphqlEndpoint>,
) -> HttpResponse {
    let request_id = uuid::Uuid::new_v4().to_string();
    let Some(media) = negotiate(&req) else {
        return not_acceptable(&request_id);
    };
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if mime != JSON {
        return request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request body as application/json",
            &request_id,
        );
    }
    let limit = state.settings.max_body_bytes;
    let too_large = || {
        request_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            "PAYLOAD_TOO_LARGE",
            &format!("the request body is larger than {limit} bytes"),
            &request_id,
        )
    };
    // Refuse by the declared length before reading a byte, and stop reading at the limit.
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large();
    }
    let body = match payload.to_bytes_limited(limit).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                "BAD_REQUEST",
                "the request body could not be read",
                &request_id,
            );
        }
        Err(_) => return too_large(),
    };
    if body.is_empty() {
        return request_error(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", "the request body is empty", &request_id);
    }
    let parsed: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        // Not JSON at all: an HTTP-level failure, 400 for every media type.
        Err(_) => {
            return respond(
                StatusCode::BAD_REQUEST,
                media,
                json!({ "errors": [{ "message": "the request body is not valid JSON", "extensions": { "code": "BAD_REQUEST" } }] }),
                &request_id,
            );
        }
    };
    if parsed.is_array() {
        return request_error(
            StatusCode::BAD_REQUEST,
            media,
            "BAD_REQUEST",
            "batched requests are not supported; send one operation per request",
            &request_id,
        );
    }
    let Ok(body) = serde_json::from_value::<PostBody>(parsed) else {
        return request_error(
            StatusCode::BAD_REQUEST,
            media,
            "BAD_REQUEST",
            "the request body must be a JSON object",
            &request_id,
        );
    };
    let query = match body.query {
        Some(serde_json::Value::String(q)) => q,
        Some(_) => {
            return request_error(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", "query must be a string", &request_id);
        }
        None => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                "BAD_REQUEST",
                "the request has no query",
                &request_id,
            );
        }
    };
    let mut request = Request::new(query);
    match body.operation_name {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(op)) => request = request.operation_name(op),
        Some(_) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                "BAD_REQUEST",
                "operationName must be a string",
                &request_id,
            );
        }
    }
    match body.variables {
        None | Some(serde_json::Value::Null) => {}
        Some(v @ serde_json::Value::Object(_)) => request = request.variables(Variables::from_json(v)),
        Some(_) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                "BAD_REQUEST",
                "variables must be a JSON object",
                &request_id,
            );
        }
    }
    match body.extensions {
        None | Some(serde_json::Value::Null | serde_json::Value::Object(_)) => {}
        Some(_) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                "BAD_REQUEST",
                "extensions must be a JSON object",
                &request_id,
            );
        }
    }
    execute(&req, &state, &endpoint, request, media, request_id).await
}

/// Authenticates, answers from the response cache when it can, else runs the operation within
/// the request's time budget, and answers with the status code the media type calls for.
async fn execute(
    req: &HttpRequest,
    state: &Arc<AppState>,
    endpoint: &GraphqlEndpoint,
    request: Request,
    media: Media,
    request_id: String,
) -> HttpResponse {
    let span = tracing::info_span!("graphql", request_id = %request_id);
    let started = std::time::Instant::now();
    let operation = request.operation_name.clone();
    let token = bearer_token(req);
    let address = api::context::ClientAddress(req.peer_addr().map(|a| a.ip()));
    // The caller (and the data generation, read with the user row) first: a cached answer
    // needs nothing else.
    let authenticate = REQUEST_ID.scope(request_id.clone(), authenticate(state, token));
    let (auth, generation) = match tokio::time::timeout(
        state.settings.request_timeout,
        tracing::Instrument::instrument(authenticate, span.clone()),
    )
    .await
    {
        Ok(Ok(a)) => a,
        Ok(Err(e)) => {
            tracing::warn!(request_id = %request_id, "database busy or unreachable while authenticating: answered 503 UNAVAILABLE");
            state.metrics.request(operation.as_deref(), "unavailable", started.elapsed(), 0);
            let error = json!({ "message": e.public_message(&request_id), "extensions": { "code": e.code(), "requestId": request_id } });
            return respond(StatusCode::SERVICE_UNAVAILABLE, media, json!({ "errors": [error] }), &request_id);
        }
        Err(_) => {
            return timed_out(state, operation.as_deref(), started, state.settings.request_timeout, media, &request_id);
        }
    };
    let cache = &endpoint.cache;
    let today = state.settings.today();
    let had_caller = auth.principal.is_some();
    let cache_key = match (&auth.principal, generation) {
        (Some(p), Some(g)) if cache.enabled() => {
            // Variables that cannot be written out cannot be part of a key: not cacheable.
            serde_json::to_string(&request.variables).ok().map(|variables| {
                (response_cache::key(p, request.operation_name.as_deref(), &variables, &request.query), g)
            })
        }
        _ => None,
    };
    if let Some((key, g)) = &cache_key
        && let (lookup, Some(body)) = cache.get(key, *g, today)
    {
        state.metrics.response_cache(lookup);
        state.metrics.request(operation.as_deref(), "ok", started.elapsed(), 0);
        tracing::info!(request_id = %request_id, elapsed_ms = started.elapsed().as_millis() as u64, cached = true, "graphql request");
        return respond_bytes(StatusCode::OK, media, body, &request_id);
    }
    let plan = Plan::of(&request, cache_key.is_some(), &state.settings);
    // A miss counts only for what could have been kept (not for mutations and the like).
    if plan.may_cache {
        state.metrics.response_cache(response_cache::Lookup::Miss);
    }
    // Validation rules async-graphql does not hold, and variables that do not fit their
    // types, stop the request before anything runs.
    let precheck = api::variables::precheck(&endpoint.input_types, plan.parsed.as_ref().ok(), &request);
    let state2 = Arc::clone(state);
    let work = REQUEST_ID.scope(request_id.clone(), async move {
        if let Some(refusal) = precheck.answer(&endpoint.schema, &request).await {
            return (refusal, false);
        }
        run_audited(&state2, endpoint, request, auth, address).await
    });
    // A client that goes away stops the work (actix itself would run it to the end): dropping
    // the future cancels any script job it started.
    let client = req.conn_data::<crate::app::client_socket::ClientSocket>().cloned();
    let watched = async move {
        match client {
            Some(client) => tokio::select! {
                r = work => Some(r),
                () = client.gone() => None,
            },
            None => Some(work.await),
        }
    };
    let (response, audited) =
        match tokio::time::timeout(plan.timeout, tracing::Instrument::instrument(watched, span)).await {
            Ok(Some(r)) => r,
            Ok(None) => {
                state.metrics.request(operation.as_deref(), "client_gone", started.elapsed(), 0);
                tracing::info!(request_id = %request_id, "client went away; the request was stopped");
                return respond(StatusCode::BAD_REQUEST, media, json!({ "errors": [] }), &request_id);
            }
            Err(_) => return timed_out(state, operation.as_deref(), started, plan.timeout, media, &request_id),
        };
    tracing::info!(request_id = %request_id, elapsed_ms = started.elapsed().as_millis() as u64, errors = response.errors.len(), "graphql request");
    // The generation already makes older answers unreachable; a successful authenticated
    // write also empties this replica's cache at once, so erased data leaves memory now. An
    // anonymous or failing mutation (a refused login, say) empties nothing: anyone could
    // otherwise hold every replica on the uncached path.
    if plan.mutation && had_caller && response.errors.is_empty() {
        cache.clear();
    }
    let mut response = response;
    let Errors { request_failed, unavailable, script_errors } = finish_errors(&mut response, &plan);
    if unavailable {
        tracing::warn!(request_id = %request_id, "database busy or unreachable: answered 503 UNAVAILABLE");
    }
    let outcome = if request_failed {
        "rejected"
    } else if response.errors.is_empty() {
        "ok"
    } else {
        "error"
    };
    state.metrics.request(operation.as_deref(), outcome, started.elapsed(), script_errors);
    if request_failed {
        let errors = serde_json::to_value(&response.errors).unwrap_or_else(|_| json!([]));
        let status = if media == Media::GraphqlResponse { StatusCode::BAD_REQUEST } else { StatusCode::OK };
        return respond(status, media, json!({ "errors": errors }), &request_id);
    }
    if let Ok(doc) = &plan.parsed
        && let Some(op) = response_cache::selected_operation(doc, operation.as_deref())
    {
        api::response_shape::conform(&mut response, &endpoint.shapes, doc, op);
    }
    let body = match serde_json::to_vec(&response) {
        Ok(b) => Bytes::from(b),
        Err(_) => {
            return respond(StatusCode::OK, media, json!({ "errors": [{ "message": "internal error" }] }), &request_id);
        }
    };
    if unavailable {
        return respond_bytes(StatusCode::SERVICE_UNAVAILABLE, media, body, &request_id);
    }
    if let (Some((key, g)), true) = (cache_key, plan.may_cache && response.errors.is_empty() && !audited)
        && cache.put(key, g, today, body.clone())
    {
        state.metrics.response_cache_stored();
    }
    respond_bytes(StatusCode::OK, media, body, &request_id)
}

/// What the request's document decides about running it, read once before it runs: parsed
/// here too (async-graphql parses again) to pick the time budget, to name a request error's
/// code and to tell whether the answer may be cached.
struct Plan {
    parsed: Result<async_graphql::parser::types::ExecutableDocument, async_graphql::parser::Error>,
    query_text: String,
    may_cache: bool,
    mutation: bool,
    /// A matching round (or a preview, which solves two) runs on its own, longer budget; its
    /// scoring and solving run on blocking threads, never on the request workers.
    timeout: std::time::Duration,
}

impl Plan {
    fn of(request: &Request, has_cache_key: bool, settings: &services::config::Settings) -> Self {
        let parsed = async_graphql::parser::parse_query(&request.query);
        let operation = request.operation_name.as_deref();
        let is_round = parsed.as_ref().is_ok_and(|doc| runs_a_round(doc, operation));
        let may_cache = has_cache_key && parsed.as_ref().is_ok_and(|doc| response_cache::cacheable(doc, operation));
        let mutation = parsed.as_ref().is_ok_and(|doc| {
            response_cache::selected_operation(doc, operation).is_some_and(|op| op.ty == OperationType::Mutation)
        });
        let timeout = if is_round { settings.round_timeout } else { settings.request_timeout };
        Self { parsed, query_text: request.query.clone(), may_cache, mutation, timeout }
    }
}

/// Runs the request and audits the contact details its answer holds before the answer
/// leaves; if that write fails, the answer does not leave. The bool says whether anything
/// was audited (such an answer is never cached).
async fn run_audited(
    state: &AppState,
    endpoint: &GraphqlEndpoint,
    request: Request,
    auth: RequestAuth,
    address: api::context::ClientAddress,
) -> (async_graphql::Response, bool) {
    let principal = auth.principal.clone();
    let request_cache = Arc::new(api::context::RequestCache::default());
    let loaders = api::loaders::Loaders::new(&state.db, &state.vault);
    let data = request.data(auth).data(address).data(Arc::clone(&request_cache)).data(loaders);
    let response = api::execute(&endpoint.schema, data).await;
    // A poisoned log (a thread panicked while noting a read) fails the request: the answer
    // may carry contact details whose reads can no longer be audited.
    let reads = request_cache
        .contact_reads
        .lock()
        .map(|mut r| std::mem::take(&mut *r))
        .map_err(|_| AppError::internal(anyhow::anyhow!("the contact-read log of this request is poisoned")));
    let (reads, poisoned) = match reads {
        Ok(r) => (r, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let audited = !reads.is_empty() || poisoned.is_some();
    let outcome = match (poisoned, principal) {
        (Some(e), _) => Err(e),
        (None, Some(p)) if audited => services::audit::contact_reads(&state.db, &p, reads).await,
        _ => Ok(()),
    };
    match outcome {
        Ok(()) => (response, audited),
        Err(e) => (
            async_graphql::Response::from_errors(vec![
                e.into_graphql().into_server_error(async_graphql::Pos::default()),
            ]),
            true,
        ),
    }
}

/// What the errors of an answer say about it.
struct Errors {
    /// Errors without a path stopped the request before execution (syntax, validation,
    /// limits, variables): a request error. Field errors always carry a path.
    request_failed: bool,
    /// The database was busy or unreachable: 503, so clients and proxies retry; logged once
    /// for the request, however many fields met it.
    unavailable: bool,
    script_errors: usize,
}

/// Gives every error a code (async-graphql's own — parse, validation, limits, argument
/// values — come without one) and a one-line message, and says what the errors mean.
fn finish_errors(response: &mut async_graphql::Response, plan: &Plan) -> Errors {
    let request_failed = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let request_code = match &plan.parsed {
        Err(e) => api::validation::parse_error_code(e, &plan.query_text),
        Ok(_) => "GRAPHQL_VALIDATION_FAILED",
    };
    for e in &mut response.errors {
        let has_code = e.extensions.as_ref().is_some_and(|x| x.get("code").is_some());
        if !has_code {
            let code = if e.path.is_empty() { request_code } else { "BAD_USER_INPUT" };
            e.extensions.get_or_insert_with(Default::default).set("code", code);
        }
        if e.message.contains('\n') {
            e.message = one_line(&e.message);
        }
    }
    let has_code = |e: &async_graphql::ServerError, code: &str| {
        e.extensions.as_ref().and_then(|x| x.get("code")) == Some(&async_graphql::Value::from(code))
    };
    Errors {
        request_failed,
        unavailable: response.errors.iter().any(|e| has_code(e, "UNAVAILABLE")),
        script_errors: response.errors.iter().filter(|e| has_code(e, "SCRIPT_ERROR")).count(),
    }
}

/// The caller of a request with a token, and the data generation read with the user row.
/// A database that cannot answer is `Err`: the request answers 503 UNAVAILABLE rather than
/// UNAUTHENTICATED, which would make clients sign their users out.
async fn authenticate(state: &AppState, token: Option<String>) -> Result<(RequestAuth, Option<i64>), AppError> {
    let Some(t) = token else { return Ok((RequestAuth::default(), None)) };
    match users::principal_and_generation(&state.db, &state.sign_in, &t).await {
        Ok((p, g)) => Ok((RequestAuth { principal: Some(p) }, Some(g))),
        // A refused token leaves the request anonymous: every field that needs a caller then
        // answers UNAUTHENTICATED.
        Err(AppError::Unauthenticated | AppError::BadCredentials) => Ok((RequestAuth::default(), None)),
        Err(AppError::Unavailable) => Err(AppError::Unavailable),
        Err(other) => {
            // Logged with the request id; the request continues anonymously.
            let _ = other.into_graphql();
            Ok((RequestAuth::default(), None))
        }
    }
}

/// A parser's multi-line message (`--> 1:11`, the source line, a caret, `= expected …`) as one
/// line: what was expected. Where it was is in the error's `locations` already.
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    match lines.iter().find_map(|l| l.strip_prefix("= ")) {
        Some(expected) => format!("syntax error: {expected}"),
        None => lines.join(" "),
    }
}

/// 503 TIMEOUT: the request ran past its budget and was stopped.
fn timed_out(
    state: &AppState,
    operation: Option<&str>,
    started: std::time::Instant,
    timeout: std::time::Duration,
    media: Media,
    request_id: &str,
) -> HttpResponse {
    state.metrics.request(operation, "timeout", started.elapsed(), 0);
    tracing::warn!(request_id = %request_id, "request stopped at the execution timeout");
    respond(
        StatusCode::SERVICE_UNAVAILABLE,
        media,
        json!({ "errors": [{ "message": format!("the request took longer than {} and was stopped", budget(timeout)), "extensions": { "code": "TIMEOUT", "requestId": request_id } }] }),
        request_id,
    )
}

/// A time budget as people write it: "30 s", "250 ms".
fn budget(d: std::time::Duration) -> String {
    if d.as_millis() < 1000 { format!("{} ms", d.as_millis()) } else { format!("{} s", d.as_secs_f64()) }
}

/// The token of an `Authorization: Bearer …` header (GraphQL and exports alike).
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

//! The browser console for programme staff, served from the binary: our own ES modules as
//! they are, the message catalogues, and pinned module files of Preact and htm
//! (`assets/console/vendor/`, with their licences, versions and `update.sh`). No build step:
//! `cargo build` alone produces the complete console. The page speaks only the public
//! GraphQL API (`POST /graphql`), under a policy that allows scripts, styles, images and
//! requests from this origin only and no inline script or style.

use std::hash::{Hash, Hasher};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

/// The policy of the page and every file: nothing from elsewhere, nothing inline (style
/// attributes in the markup included; the console sets bar widths through the CSSOM, which
/// `style-src 'self'` allows), never in a frame, forms never submitted by the browser itself.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; \
                       base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const JS: &str = "text/javascript; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// The files under `/console/`, with their media types. `tests/api/console.rs` fails when a
/// file in `assets/console/` is missing here (the maintenance script `vendor/update.sh`
/// excepted).
pub const ASSETS: [(&str, &str, &[u8]); 26] = [
    ("index.html", "text/html; charset=utf-8", include_bytes!("../assets/console/index.html")),
    ("console.css", "text/css; charset=utf-8", include_bytes!("../assets/console/console.css")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../assets/console/favicon.svg")),
    ("app.js", JS, include_bytes!("../assets/console/app.js")),
    ("api.js", JS, include_bytes!("../assets/console/api.js")),
    ("i18n.js", JS, include_bytes!("../assets/console/i18n.js")),
    ("ui.js", JS, include_bytes!("../assets/console/ui.js")),
    ("signin.js", JS, include_bytes!("../assets/console/signin.js")),
    ("dashboard.js", JS, include_bytes!("../assets/console/dashboard.js")),
    ("matching.js", JS, include_bytes!("../assets/console/matching.js")),
    ("workbench.js", JS, include_bytes!("../assets/console/workbench.js")),
    ("highlight.js", JS, include_bytes!("../assets/console/highlight.js")),
    ("year.js", JS, include_bytes!("../assets/console/year.js")),
    ("groups.js", JS, include_bytes!("../assets/console/groups.js")),
    ("households.js", JS, include_bytes!("../assets/console/households.js")),
    ("analyst.js", JS, include_bytes!("../assets/console/analyst.js")),
    ("accounts.js", JS, include_bytes!("../assets/console/accounts.js")),
    ("notifications.js", JS, include_bytes!("../assets/console/notifications.js")),
    ("i18n/nl.json", JSON, include_bytes!("../assets/console/i18n/nl.json")),
    ("i18n/en.json", JSON, include_bytes!("../assets/console/i18n/en.json")),
    ("vendor/preact.mjs", JS, include_bytes!("../assets/console/vendor/preact.mjs")),
    ("vendor/hooks.mjs", JS, include_bytes!("../assets/console/vendor/hooks.mjs")),
    ("vendor/htm.mjs", JS, include_bytes!("../assets/console/vendor/htm.mjs")),
    ("vendor/LICENSES", TEXT, include_bytes!("../assets/console/vendor/LICENSES")),
    ("vendor/VERSIONS", TEXT, include_bytes!("../assets/console/vendor/VERSIONS")),
    ("vendor/SHA256SUMS", TEXT, include_bytes!("../assets/console/vendor/SHA256SUMS")),
];

/// `GET /`: the console's page.
pub async fn index(req: HttpRequest) -> HttpResponse {
    serve(&req, "index.html")
}

/// `GET /console/{file}`: one of the console's files; 404 for anything else.
pub async fn asset(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    serve(&req, path.as_str())
}

fn serve(req: &HttpRequest, name: &str) -> HttpResponse {
    let Some((_, media, bytes)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return HttpResponse::NotFound()
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .finish();
    };
    // The files change only with the binary; the browser asks again every time (`no-cache`)
    // and gets 304 while it holds this build's file, so a new release is never mixed with
    // modules of the previous one.
    let etag = etag_of(bytes);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if unchanged { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::ETAG, etag.clone()));
    if unchanged {
        return response.finish();
    }
    response.content_type(*media).body(*bytes)
}

/// A validator of the file's bytes: stable for one binary, which is all a browser's cache
/// needs (a new binary with the same file gives the same tag, or a new one at worst).
fn etag_of(bytes: &[u8]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    format!("\"{:016x}-{}\"", hasher.finish(), bytes.len())
}

//! GraphiQL, served from the binary: pinned production builds of GraphiQL, React and
//! React DOM (`assets/graphiql/`, with their licences, versions and `update.sh`), a page and a
//! start script of ours, under a Content-Security-Policy that allows scripts, styles and
//! requests from this origin only (and fonts from `data:`, which GraphiQL's stylesheet
//! embeds). It works offline and behind a firewall; the page opens with an example.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// The policy of the page and its assets: nothing from elsewhere, no inline script.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
                       frame-ancestors 'none'";

/// The files under `/graphiql/`, with their media types.
const ASSETS: [(&str, &str, &[u8]); 6] = [
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("../assets/graphiql/graphiql.min.css")),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
    ("samenhier.js", "text/javascript; charset=utf-8", include_bytes!("../assets/graphiql/samenhier.js")),
    ("samenhier.css", "text/css; charset=utf-8", include_bytes!("../assets/graphiql/samenhier.css")),
];

const PAGE: &str = include_str!("../assets/graphiql/index.html");

/// The page (`GET /graphql` from a browser, where GraphiQL is enabled).
pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE)
}

/// `GET /graphiql/{file}`: one of the assets where GraphiQL is enabled; 404 otherwise. They
/// change only with the binary; browsers keep them an hour.
pub async fn asset(path: web::Path<String>, endpoint: web::Data<crate::graphql_http::GraphqlEndpoint>) -> HttpResponse {
    if !endpoint.graphiql {
        return HttpResponse::NotFound().finish();
    }
    match ASSETS.iter().find(|(name, _, _)| *name == path.as_str()) {
        Some((_, media, bytes)) => HttpResponse::Ok()
            .content_type(*media)
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(*bytes),
        None => HttpResponse::NotFound().finish(),
    }
}

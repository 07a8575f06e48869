//! The pages, embedded in the binary: plain HTML, CSS and JavaScript, no build step, nothing
//! loaded from elsewhere (the Content-Security-Policy says so to the browser too).

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const INDEX_HTML: &str = include_str!("assets/index.html");
const MERCHANT_HTML: &str = include_str!("assets/merchant.html");
const WALLET_HTML: &str = include_str!("assets/wallet.html");
const APP_CSS: &str = include_str!("assets/app.css");
const MERCHANT_JS: &str = include_str!("assets/merchant.js");
const WALLET_JS: &str = include_str!("assets/wallet.js");

/// Only this origin; camera frames and blob URLs for the code image.
const CSP: &str = "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; \
                   style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; \
                   base-uri 'none'; form-action 'none'";

fn page(body: &'static str) -> Response {
    let mut r = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(super) async fn index() -> Response {
    page(INDEX_HTML)
}

pub(super) async fn merchant() -> Response {
    page(MERCHANT_HTML)
}

pub(super) async fn wallet() -> Response {
    page(WALLET_HTML)
}

pub(super) async fn asset(Path(name): Path<String>) -> Response {
    let (kind, body) = match name.as_str() {
        "app.css" => ("text/css; charset=utf-8", APP_CSS),
        "merchant.js" => ("text/javascript; charset=utf-8", MERCHANT_JS),
        "wallet.js" => ("text/javascript; charset=utf-8", WALLET_JS),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

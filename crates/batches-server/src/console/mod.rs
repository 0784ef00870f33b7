//! The console: a page at `/` that shows what the emulator holds (batches with live
//! status, their per-file results, jobs, directories and files, webhook deliveries, the
//! fault settings, recent requests), like the consoles of Mailpit or the Firebase
//! emulators.
//!
//! It is a client like any other: the page asks for an API key, keeps it in the tab's
//! `sessionStorage`, and reads everything through the API (and the emulator's own JSON
//! endpoints under `/emulator/`) with `Authorization: Bearer`. What the server sends here
//! holds no data and no key. Plain HTML, CSS and JavaScript, embedded in the binary; the
//! script and the style are files of their own so that the Content-Security-Policy needs
//! no `'unsafe-inline'`, and nothing is loaded from anywhere but the emulator.

use axum::{
    http::{HeaderName, HeaderValue, header},
    response::{IntoResponse, Response},
};

/// The page.
const PAGE: &str = include_str!("index.html");
/// Its script.
const SCRIPT: &str = include_str!("console.js");
/// Its style.
const STYLE: &str = include_str!("console.css");

/// Where the script is served.
pub const SCRIPT_PATH: &str = "/console/console.js";
/// Where the style is served.
pub const STYLE_PATH: &str = "/console/console.css";

/// The policy every console response carries: everything from the emulator itself, no
/// inline script or style, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Whether `path` is the console's page or one of its files (which the fault layer leaves
/// alone).
pub fn is_asset(path: &str) -> bool {
    matches!(path, "/" | SCRIPT_PATH | STYLE_PATH)
}

/// `GET /`: the page.
pub async fn page() -> Response {
    asset("text/html; charset=utf-8", PAGE)
}

/// `GET /console/console.js`.
pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// `GET /console/console.css`.
pub async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

/// `body` as `content_type`, with the console's security headers.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        // A rebuilt emulator serves a new console: never a stale script from the cache.
        (header::CACHE_CONTROL, "no-cache"),
    ]
    .map(|(name, value): (HeaderName, &'static str)| (name, HeaderValue::from_static(value)));
    (headers, body).into_response()
}

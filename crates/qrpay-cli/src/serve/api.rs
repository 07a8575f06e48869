//! The HTTP API and the pages: routes, JSON errors, body limits, the event stream.
//!
//! Every error is JSON: `{"error": {"code": "...", "message": "..."}}` with a status that says
//! whose fault it is (4xx: the request; 409/422: a wallet rule; 5xx: the server). Nothing is
//! logged: requests carry payloads and amounts, which stay out of the server's output.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::Stream;
use qrpay_core::render::{EccLevel, QrSymbol, RenderOptions};
use qrpay_core::scan::Scanner;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, Semaphore};

use super::backend::{Backend, BackendError, PayRequest, QuoteView};

/// Largest image `POST /api/scan` accepts (a phone photo fits; a camera frame is far less).
pub const SCAN_BODY_MAX: usize = 4 * 1024 * 1024;
/// Largest JSON body.
pub const JSON_BODY_MAX: usize = 8 * 1024;
/// Largest side of an image the scanner decodes.
const SCAN_SIDE_MAX: u32 = 4096;
/// Most pixels of an image the scanner decodes.
const SCAN_PIXELS_MAX: u64 = 16_000_000;
/// Images scanned at the same time; more get 503 (a camera sends the next frame soon).
pub const SCANS_MAX: usize = 4;
/// Payment events buffered for slow merchant pages.
const EVENTS_MAX: usize = 64;

/// A payment that committed, pushed to the merchant page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaidEvent {
    /// The code's reference.
    pub reference: Option<String>,
    /// Total, formatted.
    pub total_text: String,
    /// Short payment id.
    pub payment: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// Shared state of the handlers.
pub struct AppState<B: Backend> {
    backend: Arc<B>,
    events: broadcast::Sender<PaidEvent>,
    scans: Arc<Semaphore>,
}

impl<B: Backend> Clone for AppState<B> {
    fn clone(&self) -> Self {
        AppState {
            backend: Arc::clone(&self.backend),
            events: self.events.clone(),
            scans: Arc::clone(&self.scans),
        }
    }
}

/// The router: pages and API over `backend`.
pub fn router<B: Backend>(backend: Arc<B>) -> Router {
    let (events, _) = broadcast::channel(EVENTS_MAX);
    let state = AppState {
        backend,
        events,
        scans: Arc::new(Semaphore::new(SCANS_MAX)),
    };
    let json_limit = DefaultBodyLimit::max(JSON_BODY_MAX);
    Router::new()
        .route("/", get(super::assets::index))
        .route("/merchant", get(super::assets::merchant))
        .route("/wallet", get(super::assets::wallet))
        .route("/assets/{name}", get(super::assets::asset))
        .route("/api/merchant", get(merchant::<B>))
        .route(
            "/api/merchant/codes",
            post(issue_code::<B>).layer(json_limit),
        )
        .route("/api/merchant/codes/{reference}", get(code_status::<B>))
        .route("/api/merchant/events", get(paid_events::<B>))
        .route("/api/merchant/refunds", post(refund::<B>).layer(json_limit))
        .route("/api/wallet", get(wallet::<B>))
        .route(
            "/api/scan",
            post(scan::<B>).layer(DefaultBodyLimit::max(SCAN_BODY_MAX)),
        )
        .route("/api/quote", post(quote::<B>).layer(json_limit))
        .route("/api/authorize", post(authorize::<B>).layer(json_limit))
        .route("/api/pay", post(pay::<B>).layer(json_limit))
        .fallback(not_found)
        .with_state(state)
}

/// An error as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: &self.code,
                message: &self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<BackendError> for ApiError {
    fn from(e: BackendError) -> ApiError {
        match e {
            BackendError::BadRequest { code, message } => {
                ApiError::new(StatusCode::BAD_REQUEST, code, message)
            }
            BackendError::Refused { rule } => {
                let status = if rule == "already_paid" || rule == "code_already_paid" {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                ApiError::new(status, &rule, rule_message(&rule))
            }
            BackendError::Busy => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the server is busy; try again in a moment",
            ),
            _ => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on our side; nothing was charged",
            ),
        }
    }
}

/// What a person reads for a wallet rule.
fn rule_message(rule: &str) -> &'static str {
    match rule {
        "already_paid" | "code_already_paid" => {
            "This code has already been paid. Nothing was charged again."
        }
        "code_expired" => "This code has expired. Ask the merchant for a new one.",
        "unknown_code" | "amount_tampered" => {
            "This code was not issued by the merchant as shown. Do not pay it."
        }
        "unknown_merchant" => "This merchant is not registered with QRPay.",
        "currency_mismatch" => "This code asks for a currency this wallet does not hold.",
        "insufficient_funds" | "exceeds_credits" => "Your balance is not enough for this payment.",
        "per_transaction_cap" => "The amount is above the limit for one payment.",
        "authorization_invalid" => "The payment was not confirmed. Tap Pay again.",
        "amount_required" => "Enter an amount.",
        "amount_mismatch" => "The amount does not match the code.",
        "tip_not_offered" => "This merchant does not take tips through the code.",
        "amount_overflow" => "The amount is too large.",
        "not_paid" => "This code has not been paid; there is nothing to refund.",
        "nothing_left_to_refund" => "This payment has already been refunded in full.",
        r if r.starts_with("balance_cap") => "The merchant's account cannot receive this amount.",
        _ => "The payment was refused. Nothing was charged.",
    }
}

fn json_rejection(e: &JsonRejection) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(JSON_BODY_MAX);
    }
    if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return ApiError::new(
            status,
            "unsupported_media_type",
            "send JSON with content-type application/json",
        );
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_json",
        "the request body is not the JSON expected",
    )
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("the request body is larger than {} KiB", limit / 1024),
    )
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BackendError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(_) => Err(BackendError::Internal.into()),
    }
}

/// Runs `call` on the backend off the async threads and answers what it returns as uncached
/// JSON, or its error as an [`ApiError`]: the whole of every handler that only forwards its
/// request to one backend method.
async fn answer<B: Backend, T: Serialize + Send + 'static>(
    s: &AppState<B>,
    call: impl FnOnce(&B) -> Result<T, BackendError> + Send + 'static,
) -> Result<Response, ApiError> {
    let b = Arc::clone(&s.backend);
    Ok(no_store(Json(blocking(move || call(&b)).await?)))
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such page")
}

async fn merchant<B: Backend>(State(s): State<AppState<B>>) -> Result<Response, ApiError> {
    answer(&s, B::merchant).await
}

#[derive(Debug, Deserialize)]
struct IssueCode {
    amount: String,
}

#[derive(Debug, Serialize)]
struct IssuedCode {
    #[serde(flatten)]
    code: super::backend::CodeView,
    svg: String,
}

async fn issue_code<B: Backend>(
    State(s): State<AppState<B>>,
    body: Result<Json<IssueCode>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(|e| json_rejection(&e))?;
    let b = Arc::clone(&s.backend);
    let code = blocking(move || b.issue_code(&req.amount)).await?;
    let svg = QrSymbol::encode(&code.payload, EccLevel::M)
        .and_then(|q| q.to_svg(&RenderOptions::new().module_px(8)))
        .map_err(|_| ApiError::from(BackendError::Internal))?;
    Ok(no_store(Json(IssuedCode { code, svg })))
}

async fn code_status<B: Backend>(
    State(s): State<AppState<B>>,
    Path(reference): Path<String>,
) -> Result<Response, ApiError> {
    answer(&s, move |b| b.code_status(&reference)).await
}

#[derive(Debug, Deserialize)]
struct RefundBody {
    reference: String,
}

async fn refund<B: Backend>(
    State(s): State<AppState<B>>,
    body: Result<Json<RefundBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(|e| json_rejection(&e))?;
    answer(&s, move |b| b.refund(&req.reference)).await
}

async fn paid_events<B: Backend>(
    State(s): State<AppState<B>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = s.events.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(paid) => {
                    let data = serde_json::to_string(&paid).unwrap_or_default();
                    return Some((Ok(Event::default().event("paid").data(data)), rx));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

async fn wallet<B: Backend>(State(s): State<AppState<B>>) -> Result<Response, ApiError> {
    answer(&s, B::wallet).await
}

/// What `POST /api/scan` returns: `none` (keep scanning), `found` with the payload and what
/// paying it would do, or `refused` with why the code cannot be paid.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum ScanResult {
    None,
    Found {
        payload: String,
        quote: Box<QuoteView>,
    },
    Refused {
        error: RefusedDetail,
    },
}

#[derive(Debug, Serialize)]
struct RefusedDetail {
    code: String,
    message: String,
}

async fn scan<B: Backend>(
    State(s): State<AppState<B>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(SCAN_BODY_MAX)
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_body",
                "the image could not be read",
            )
        }
    })?;
    let is_image = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("image/"));
    if !is_image {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not_an_image",
            "send a photo (image/jpeg, image/png, …)",
        ));
    }
    // Scanning is the costly request: a bounded number at a time, the rest told to retry.
    let permit = Arc::clone(&s.scans)
        .try_acquire_owned()
        .map_err(|_| ApiError::from(BackendError::Busy))?;
    let b = Arc::clone(&s.backend);
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        scan_blocking(b.as_ref(), &body)
    })
    .await
    .map_err(|_| ApiError::from(BackendError::Internal))??;
    Ok(no_store(Json(result)))
}

fn scan_blocking<B: Backend>(backend: &B, image: &[u8]) -> Result<ScanResult, ApiError> {
    let scanner = Scanner::new()
        .side_max(SCAN_SIDE_MAX)
        .pixels_max(SCAN_PIXELS_MAX);
    let codes = scanner.scan_bytes(image).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_an_image",
            "this file is not a photo we can read (JPEG, PNG, WebP, GIF, BMP or TIFF, at most 4096 pixels a side)",
        )
    })?;
    let mut refused = None;
    for code in &codes {
        let payload = code.text();
        match backend.quote(payload, None, None) {
            Ok(quote) => {
                return Ok(ScanResult::Found {
                    payload: payload.to_owned(),
                    quote: Box::new(quote),
                })
            }
            Err(e) => {
                let api = ApiError::from(e);
                if api.status.is_server_error() {
                    return Err(api);
                }
                refused.get_or_insert(RefusedDetail {
                    code: api.code,
                    message: api.message,
                });
            }
        }
    }
    Ok(match refused {
        Some(error) => ScanResult::Refused { error },
        None => ScanResult::None,
    })
}

#[derive(Debug, Deserialize)]
struct PaymentBody {
    payload: String,
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    tip: Option<String>,
    #[serde(default)]
    payment: Option<String>,
    #[serde(default)]
    authorization: Option<String>,
}

async fn quote<B: Backend>(
    State(s): State<AppState<B>>,
    body: Result<Json<PaymentBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(|e| json_rejection(&e))?;
    answer(&s, move |b| {
        b.quote(&req.payload, req.amount.as_deref(), req.tip.as_deref())
    })
    .await
}

async fn authorize<B: Backend>(
    State(s): State<AppState<B>>,
    body: Result<Json<PaymentBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(|e| json_rejection(&e))?;
    answer(&s, move |b| {
        b.authorize(&req.payload, req.amount.as_deref(), req.tip.as_deref())
    })
    .await
}

async fn pay<B: Backend>(
    State(s): State<AppState<B>>,
    body: Result<Json<PaymentBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(|e| json_rejection(&e))?;
    let (Some(payment), Some(authorization)) = (req.payment.clone(), req.authorization.clone())
    else {
        return Err(BackendError::Refused {
            rule: "authorization_invalid".to_owned(),
        }
        .into());
    };
    let b = Arc::clone(&s.backend);
    let receipt = blocking(move || {
        b.pay(&PayRequest {
            payload: &req.payload,
            amount: req.amount.as_deref(),
            tip: req.tip.as_deref(),
            payment: &payment,
            authorization: &authorization,
        })
    })
    .await?;
    if receipt.outcome == "created" {
        // No merchant page listening is fine: the payment committed either way.
        let _ = s.events.send(PaidEvent {
            reference: receipt.reference.clone(),
            total_text: receipt.total_text.clone(),
            payment: receipt.payment.clone(),
            at_ms: receipt.at_ms,
        });
    }
    Ok(no_store(Json(receipt)))
}

fn no_store(r: impl IntoResponse) -> Response {
    let mut r = r.into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

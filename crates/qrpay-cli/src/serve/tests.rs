//! The HTTP API without a browser: the whole payment over HTTP, and bad requests that must get
//! clear JSON errors and change nothing.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use qrpay_core::render::{EccLevel, QrSymbol, RenderOptions};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::api::{router, SCAN_BODY_MAX};
use qrpay_wallet::Store;

use super::backend::WalletBackend;
use super::{open_demo, open_demo_with_clock};

struct Fixture {
    _dir: tempfile::TempDir,
    backend: Arc<WalletBackend>,
    app: Router,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let backend = Arc::new(open_demo(&dir.path().join("w.sqlite")).unwrap());
    let app = router(Arc::clone(&backend));
    Fixture {
        _dir: dir,
        backend,
        app,
    }
}

async fn call(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes)));
    (status, value)
}

fn post_json(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn post_bytes(path: &str, content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(path)
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {v}"))
}

async fn balance(app: &Router) -> u64 {
    let (status, w) = call(app, get("/api/wallet")).await;
    assert_eq!(status, StatusCode::OK);
    w["balance_minor"].as_u64().unwrap()
}

fn png_of(payload: &str) -> Vec<u8> {
    QrSymbol::encode(payload, EccLevel::M)
        .unwrap()
        .to_png(&RenderOptions::new().module_px(6))
        .unwrap()
}

async fn issue(app: &Router, amount: &str) -> Value {
    let (status, code) = call(
        app,
        post_json("/api/merchant/codes", &json!({ "amount": amount })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{code}");
    code
}

async fn authorize_and_pay(app: &Router, payload: &str) -> (StatusCode, Value) {
    let (status, auth) = call(
        app,
        post_json("/api/authorize", &json!({ "payload": payload })),
    )
    .await;
    if status != StatusCode::OK {
        return (status, auth);
    }
    call(
        app,
        post_json(
            "/api/pay",
            &json!({
                "payload": payload,
                "payment": auth["payment"],
                "authorization": auth["authorization"],
            }),
        ),
    )
    .await
}

#[tokio::test]
async fn scan_confirm_pay_once_and_push_to_the_merchant() {
    let f = fixture();
    let app = &f.app;
    assert_eq!(balance(app).await, 500_000 * 100);

    let events = app
        .clone()
        .oneshot(get("/api/merchant/events"))
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    let mut events = events.into_body();

    let code = issue(app, "25000").await;
    assert_eq!(code["amount_text"], "Rp 25.000");
    assert!(
        code["svg"].as_str().unwrap().starts_with("<svg")
            || code["svg"].as_str().unwrap().starts_with("<?xml")
    );
    let payload = code["payload"].as_str().unwrap().to_owned();

    // The camera frame is a rendered image of the code, read by the scanner.
    let (status, scanned) = call(app, post_bytes("/api/scan", "image/png", png_of(&payload))).await;
    assert_eq!(status, StatusCode::OK, "{scanned}");
    assert_eq!(scanned["status"], "found");
    assert_eq!(scanned["payload"], payload.as_str());
    let quote = &scanned["quote"];
    assert_eq!(quote["merchant_name"], "Kopi Senja");
    assert_eq!(quote["merchant_city"], "Jakarta");
    assert_eq!(quote["total_text"], "Rp 25.000");
    assert_eq!(quote["already_paid"], false);
    assert_eq!(quote["reference"], code["reference"]);

    let (status, receipt) = authorize_and_pay(app, &payload).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(receipt["outcome"], "created");
    assert_eq!(receipt["total_minor"], 25_000 * 100);
    assert_eq!(balance(app).await, (500_000 - 25_000) * 100);

    // The merchant page's stream carries the payment.
    let frame = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let frame = events.frame().await.unwrap().unwrap();
            if let Ok(data) = frame.into_data() {
                let text = String::from_utf8(data.to_vec()).unwrap();
                if text.contains("event: paid") {
                    return text;
                }
            }
        }
    })
    .await
    .unwrap();
    assert!(
        frame.contains(code["reference"].as_str().unwrap()),
        "{frame}"
    );

    // A merchant page that missed the event can ask.
    let path = format!(
        "/api/merchant/codes/{}",
        code["reference"].as_str().unwrap()
    );
    let (status, st) = call(app, get(&path)).await;
    assert_eq!(status, StatusCode::OK, "{st}");
    assert_eq!(st["paid"], true);
    assert_eq!(st["total_text"], "Rp 25.000");
    let (_, st) = call(app, get("/api/merchant/codes/QR0000NEVERISSUED")).await;
    assert_eq!(st["paid"], false);
    let (status, st) = call(app, get("/api/merchant/codes/not%20a%20ref")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{st}");

    // A second scan says already paid; a second authorization is refused; nothing moves.
    let (_, again) = call(app, post_bytes("/api/scan", "image/png", png_of(&payload))).await;
    assert_eq!(again["status"], "found");
    assert_eq!(again["quote"]["already_paid"], true);
    let (status, refused) = authorize_and_pay(app, &payload).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&refused), "already_paid");
    assert_eq!(balance(app).await, (500_000 - 25_000) * 100);
    // The merchant refunds it; a second tap is the same refund.
    let body = json!({ "reference": code["reference"] });
    let (status, r) = call(app, post_json("/api/merchant/refunds", &body)).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["outcome"], "created");
    assert_eq!(r["refunded_text"], "Rp 25.000");
    let (status, r) = call(app, post_json("/api/merchant/refunds", &body)).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["outcome"], "exists");
    assert_eq!(balance(app).await, 500_000 * 100);
    let unpaid = issue(app, "5000").await;
    let (status, r) = call(
        app,
        post_json(
            "/api/merchant/refunds",
            &json!({ "reference": unpaid["reference"] }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(error_code(&r), "not_paid");
    assert_eq!(balance(app).await, 500_000 * 100);

    let history = call(app, get("/api/wallet")).await.1;
    assert_eq!(history["history"][0]["kind"], "Refund");
    assert_eq!(history["history"][0]["amount_text"], "+ Rp 25.000");
    assert_eq!(history["history"][1]["kind"], "Payment");
    assert_eq!(history["history"][1]["counterparty"], "Kopi Senja");
    assert_eq!(history["history"][1]["amount_text"], "− Rp 25.000");
}

#[tokio::test]
async fn an_authorization_is_single_use_and_bound_to_its_payment() {
    let f = fixture();
    let app = &f.app;
    let first = issue(app, "10000").await;
    let second = issue(app, "20000").await;
    assert_ne!(first["reference"], second["reference"]);
    let p1 = first["payload"].as_str().unwrap();
    let p2 = second["payload"].as_str().unwrap();
    let (_, auth1) = call(app, post_json("/api/authorize", &json!({ "payload": p1 }))).await;
    let (_, auth2) = call(app, post_json("/api/authorize", &json!({ "payload": p2 }))).await;

    // Code 2 with code 1's authorization (and payment id): refused.
    for (payment, authorization) in [
        (&auth1["payment"], &auth1["authorization"]),
        (&auth2["payment"], &auth1["authorization"]),
        (&auth2["payment"], &json!("00")),
    ] {
        let body = json!({ "payload": p2, "payment": payment, "authorization": authorization });
        let (status, v) = call(app, post_json("/api/pay", &body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(error_code(&v), "authorization_invalid");
    }
    // No authorization at all.
    let (status, v) = call(app, post_json("/api/pay", &json!({ "payload": p2 }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&v), "authorization_invalid");
    assert_eq!(balance(app).await, 500_000 * 100);

    let body = json!({ "payload": p2, "payment": auth2["payment"], "authorization": auth2["authorization"] });
    let (status, v) = call(app, post_json("/api/pay", &body)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(balance(app).await, (500_000 - 20_000) * 100);
    // The same authorization again: used up (the code is paid anyway, nothing moves).
    let (status, v) = call(app, post_json("/api/pay", &body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(balance(app).await, (500_000 - 20_000) * 100);
    // Code 1, issued in the same instant, is its own payment.
    let (status, v) = authorize_and_pay(app, p1).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(balance(app).await, (500_000 - 20_000 - 10_000) * 100);
}

#[tokio::test]
async fn bad_requests_get_json_errors_and_change_nothing() {
    let f = fixture();
    let app = &f.app;
    let before = balance(app).await;
    let huge = vec![0u8; SCAN_BODY_MAX + 1];
    let valid = issue(app, "1000").await["payload"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut tampered = valid.clone();
    // A different last CRC digit: the CRC no longer matches.
    let last = if tampered.ends_with('0') { "1" } else { "0" };
    tampered.replace_range(tampered.len() - 1.., last);
    assert_ne!(tampered, valid);
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            post_bytes("/api/scan", "image/jpeg", huge),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            post_bytes("/api/scan", "text/plain", b"hello".to_vec()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not_an_image",
        ),
        (
            post_bytes(
                "/api/scan",
                "image/png",
                b"\x89PNG\r\n\x1a\nnot really".to_vec(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_an_image",
        ),
        (
            post_bytes("/api/scan", "image/jpeg", Vec::new()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_an_image",
        ),
        (
            post_json("/api/quote", &json!({ "payload": "garbage" })),
            StatusCode::BAD_REQUEST,
            "not_a_payment_code",
        ),
        (
            post_json("/api/quote", &json!({ "payload": tampered })),
            StatusCode::BAD_REQUEST,
            "not_a_payment_code",
        ),
        (
            post_json("/api/quote", &json!({ "payload": "0".repeat(600) })),
            StatusCode::BAD_REQUEST,
            "payload_too_long",
        ),
        (
            post_json("/api/quote", &json!({ "nothing": 1 })),
            StatusCode::BAD_REQUEST,
            "bad_json",
        ),
        (
            post_bytes("/api/quote", "application/json", b"{not json".to_vec()),
            StatusCode::BAD_REQUEST,
            "bad_json",
        ),
        (
            post_bytes("/api/quote", "text/plain", b"{}".to_vec()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            post_json("/api/quote", &json!({ "payload": "x".repeat(20_000) })),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            post_json("/api/quote", &json!({ "payload": valid, "tip": "5000" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "tip_not_offered",
        ),
        (
            post_json("/api/quote", &json!({ "payload": valid, "amount": "999" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount_mismatch",
        ),
        (
            post_json("/api/authorize", &json!({ "payload": valid, "tip": "-5" })),
            StatusCode::BAD_REQUEST,
            "bad_amount",
        ),
        (
            post_json("/api/merchant/codes", &json!({ "amount": "abc" })),
            StatusCode::BAD_REQUEST,
            "bad_amount",
        ),
        (
            post_json("/api/merchant/codes", &json!({ "amount": "0" })),
            StatusCode::BAD_REQUEST,
            "bad_amount",
        ),
        (
            post_json("/api/merchant/codes", &json!({ "amount": "1".repeat(40) })),
            StatusCode::BAD_REQUEST,
            "bad_amount",
        ),
        (
            post_json("/api/merchant/codes", &json!({ "amount": "99999999999" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "per_transaction_cap",
        ),
        (
            post_json(
                "/api/pay",
                &json!({ "payload": valid, "payment": "nope", "authorization": "x" }),
            ),
            StatusCode::BAD_REQUEST,
            "bad_payment_id",
        ),
        (get("/api/nothing-here"), StatusCode::NOT_FOUND, "not_found"),
    ];
    for (req, status, code) in cases {
        let what = format!("{} {}", req.method(), req.uri());
        let (got, body) = call(app, req).await;
        assert_eq!(got, status, "{what}: {body}");
        assert_eq!(error_code(&body), code, "{what}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(balance(app).await, before);
    let (_, w) = call(app, get("/api/wallet")).await;
    assert_eq!(
        w["history"].as_array().unwrap().len(),
        1,
        "only the seed top-up: {w}"
    );
}

#[tokio::test]
async fn an_image_without_a_code_keeps_the_camera_scanning() {
    let f = fixture();
    let blank = QrSymbol::encode("not a payment", EccLevel::M).unwrap();
    // A code that is not a payment code: refused with a reason, not found.
    let png = blank.to_png(&RenderOptions::new()).unwrap();
    let (status, v) = call(&f.app, post_bytes("/api/scan", "image/png", png)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "refused");
    assert_eq!(v["error"]["code"], "not_a_payment_code");
    // A plain white image: nothing found.
    let white = {
        let mut buf = Vec::new();
        let img = image_white_png(64, 64);
        buf.extend_from_slice(&img);
        buf
    };
    let (status, v) = call(&f.app, post_bytes("/api/scan", "image/png", white)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "none");
    assert!(f.backend.ops().store().verify().unwrap().is_clean());
}

#[tokio::test]
async fn pages_are_served_from_the_binary_with_a_strict_policy() {
    let f = fixture();
    for path in ["/", "/merchant", "/wallet"] {
        let res = f.app.clone().oneshot(get(path)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{path} loads from elsewhere"
        );
    }
    for name in ["app.css", "wallet.js", "merchant.js"] {
        let res = f
            .app
            .clone()
            .oneshot(get(&format!("/assets/{name}")))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{name}");
    }
    let res = f
        .app
        .clone()
        .oneshot(get("/assets/..%2Fmod.rs"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// A white PNG written with the `png` encoder the renderer uses.
fn image_white_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&vec![255u8; (width * height) as usize])
            .unwrap();
    }
    out
}

#[tokio::test]
async fn an_expired_code_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(qrpay_wallet::ManualClock::new(1_800_000_000_000_000_000));
    let backend =
        Arc::new(open_demo_with_clock(&dir.path().join("w.sqlite"), clock.clone()).unwrap());
    let app = router(Arc::clone(&backend));
    let code = issue(&app, "15000").await;
    let payload = code["payload"].as_str().unwrap();
    clock.advance((super::backend::CODE_TTL_S + 1) * 1_000_000_000);
    let (status, v) = call(&app, post_bytes("/api/scan", "image/png", png_of(payload))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "refused", "{v}");
    assert_eq!(v["error"]["code"], "code_expired");
    assert!(v["error"]["message"].as_str().unwrap().contains("expired"));
    let (status, v) = authorize_and_pay(&app, payload).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&v), "code_expired");
    assert_eq!(balance(&app).await, 500_000 * 100);
}

#[tokio::test]
async fn a_static_code_with_a_tip_prompt_takes_the_amount_and_tip_typed() {
    use qrpay_core::emv::{PointOfInitiation, TipOrConvenience};
    let f = fixture();
    let app = &f.app;
    let merchant = f.backend.ops().party("kopi-senja").unwrap();
    let payload = qrpay_core::PayloadBuilder::new()
        .point_of_initiation(PointOfInitiation::Static)
        .merchant_account(
            26,
            qrpay_wallet::qr::QRPAY_GUI,
            &[(1, merchant.account.to_string().as_str())],
        )
        .merchant_category_code("5814")
        .currency(qrpay_core::Currency::from_numeric(360).unwrap())
        .tip_or_convenience(TipOrConvenience::PromptTip)
        .country_code("ID")
        .merchant_name("KOPI SENJA")
        .merchant_city("Jakarta")
        .build()
        .unwrap();

    let (status, v) = call(app, post_bytes("/api/scan", "image/png", png_of(&payload))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "found", "{v}");
    let q = &v["quote"];
    assert_eq!(q["awaiting_amount"], true);
    assert_eq!(q["amount_fixed"], false);
    assert_eq!(q["tip_prompt"], true);
    assert_eq!(q["total_minor"], 0);
    assert_eq!(q["merchant_name"], "Kopi Senja");

    let typed = json!({ "payload": payload, "amount": "30000", "tip": "5000" });
    let (status, q) = call(app, post_json("/api/quote", &typed)).await;
    assert_eq!(status, StatusCode::OK, "{q}");
    assert_eq!(q["awaiting_amount"], false);
    assert_eq!(q["tip_text"], "Rp 5.000");
    assert_eq!(q["total_text"], "Rp 35.000");

    let (status, auth) = call(app, post_json("/api/authorize", &typed)).await;
    assert_eq!(status, StatusCode::OK, "{auth}");
    // Paying a different amount than authorized is refused.
    let mut other = typed.clone();
    other["amount"] = json!("31000");
    other["payment"] = auth["payment"].clone();
    other["authorization"] = auth["authorization"].clone();
    let (status, v) = call(app, post_json("/api/pay", &other)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(balance(app).await, 500_000 * 100);

    let (_, auth) = call(app, post_json("/api/authorize", &typed)).await;
    let mut body = typed.clone();
    body["payment"] = auth["payment"].clone();
    body["authorization"] = auth["authorization"].clone();
    let (status, receipt) = call(app, post_json("/api/pay", &body)).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(receipt["outcome"], "created");
    assert_eq!(balance(app).await, (500_000 - 35_000) * 100);
    let (_, w) = call(app, get("/api/wallet")).await;
    let kinds: Vec<&str> = w["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Tip", "Payment", "Top-up"], "{w}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_paying_one_code_at_once_are_charged_once() {
    let f = fixture();
    let app = &f.app;
    let code = issue(app, "40000").await;
    let payload = code["payload"].as_str().unwrap();
    // Both confirm before either pays.
    let (_, a) = call(
        app,
        post_json("/api/authorize", &json!({ "payload": payload })),
    )
    .await;
    let (_, b) = call(
        app,
        post_json("/api/authorize", &json!({ "payload": payload })),
    )
    .await;
    let body = |auth: &Value| json!({ "payload": payload, "payment": auth["payment"], "authorization": auth["authorization"] });
    let (ra, rb) = tokio::join!(
        call(app, post_json("/api/pay", &body(&a))),
        call(app, post_json("/api/pay", &body(&b)))
    );
    let outcomes: Vec<&str> = [&ra.1, &rb.1]
        .iter()
        .map(|v| v["outcome"].as_str().unwrap_or("refused"))
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == "created").count(),
        1,
        "{ra:?} {rb:?}"
    );
    assert_eq!(balance(app).await, (500_000 - 40_000) * 100);
}

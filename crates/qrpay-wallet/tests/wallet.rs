//! Wallet operations and QR payments, through the public API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use qrpay_core::emv::{PayloadBuilder, PointOfInitiation, TipOrConvenience};
use qrpay_wallet::account::AccountKind;
use qrpay_wallet::qr::{PaymentRequest, QRPAY_GUI};
use qrpay_wallet::{
    Currency, Id, ManualClock, MemoryStore, Outcome, Party, SqliteStore, Store, Tier, Wallet,
    WalletError,
};

const T0: u64 = 1_764_000_000_000_000_000; // November 2025
const RP: u128 = 100; // minor units per rupiah (ISO 4217 exponent 2)

type Mem = MemoryStore<Arc<ManualClock>>;

fn wallet() -> (Wallet<Mem>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(T0));
    let store = MemoryStore::new(Arc::clone(&clock));
    (
        Wallet::open(store, clock.clone(), Currency::IDR).unwrap(),
        clock,
    )
}

fn rule<T: std::fmt::Debug>(r: Result<T, WalletError>) -> &'static str {
    match r {
        Err(WalletError::Refused { rule, .. }) => rule,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn balance<S: Store>(w: &Wallet<S>, id: Id) -> u128 {
    w.store()
        .account(id)
        .unwrap()
        .unwrap()
        .balances
        .credit_balance()
        .unwrap_or(0)
}

fn debit_balance<S: Store>(w: &Wallet<S>, id: Id) -> u128 {
    let b = w.store().account(id).unwrap().unwrap().balances;
    b.debits_posted - b.credits_posted
}

fn scan<S: Store>(
    w: &Wallet<S>,
    payload: &str,
    customer: &Party,
    amount: Option<u128>,
    tip: Option<u128>,
) -> Result<qrpay_wallet::qr::Quote, WalletError> {
    let decoded = qrpay_core::decode(payload).unwrap();
    let request = PaymentRequest::from_emv(&decoded).unwrap();
    w.quote(customer, &request, amount, tip, None)
}

fn pay<S: Store>(
    w: &Wallet<S>,
    q: &qrpay_wallet::qr::Quote,
) -> Result<qrpay_wallet::Receipt, WalletError> {
    let auth = w.authorizer().authorize(q.customer, q.id(), q.total);
    w.pay(q, &auth)
}

#[test]
fn tier_caps_and_limits_are_refused_by_name() {
    let (w, _) = wallet();
    let ani = w.open_customer("ani", Tier::Unverified).unwrap();
    let budi = w.open_customer("budi", Tier::Verified).unwrap();
    w.top_up(&ani, 1_500_000 * RP, None).unwrap();
    assert_eq!(
        rule(w.top_up(&ani, 600_000 * RP, None)),
        "balance_cap_unverified"
    );
    w.top_up(&budi, 19_000_000 * RP, None).unwrap();
    assert_eq!(
        rule(w.top_up(&budi, 1_000_001 * RP, None)),
        "balance_cap_verified"
    );
    // Per-transaction cap (Rp10,000,000) applies to debits of customers.
    let id = w.new_id();
    let auth = w.authorizer().authorize(budi.account, id, 10_000_001 * RP);
    assert_eq!(
        rule(w.transfer(&budi, &ani, 10_000_001 * RP, id, &auth)),
        "per_transaction_cap"
    );
    // Without the right authorization nothing moves.
    let auth = w.authorizer().authorize(budi.account, id, RP);
    assert_eq!(
        rule(w.transfer(&budi, &ani, 2 * RP, id, &auth)),
        "authorization_invalid"
    );
    assert_eq!(balance(&w, ani.account), 1_500_000 * RP);
}

#[test]
fn monthly_incoming_limit_for_verified_customers() {
    let (w, clock) = wallet();
    let budi = w.open_customer("budi", Tier::Verified).unwrap();
    let shop = w.open_merchant("shop", "Kopi Kita", "Jakarta", 0).unwrap();
    for _ in 0..2 {
        w.top_up(&budi, 19_000_000 * RP, None).unwrap();
        let q = w
            .quote(
                &budi,
                &static_request(&shop),
                Some(10_000_000 * RP),
                None,
                None,
            )
            .unwrap();
        pay(&w, &q).unwrap();
        let q = w
            .quote(
                &budi,
                &static_request(&shop),
                Some(9_000_000 * RP),
                None,
                None,
            )
            .unwrap();
        pay(&w, &q).unwrap();
    }
    // 38,000,000 in this month; 2,000,001 more would exceed 40,000,000.
    assert_eq!(
        rule(w.top_up(&budi, 2_000_001 * RP, None)),
        "monthly_incoming_limit"
    );
    // Next month it is allowed again.
    clock.advance(31 * 86_400 * 1_000_000_000);
    w.top_up(&budi, 2_000_001 * RP, None).unwrap();
}

fn static_request(shop: &Party) -> PaymentRequest {
    PaymentRequest {
        merchant: shop.account,
        currency_numeric: 360,
        amount_minor: None,
        dynamic: false,
        reference: None,
        tip: qrpay_wallet::qr::TipRule::None,
        merchant_name: None,
        merchant_city: None,
    }
}

/// A wallet on SQLite in `dir` with a customer `ani` and a merchant `kopi` (MDR 0.7%).
fn sqlite_shop(dir: &tempfile::TempDir) -> (Wallet<SqliteStore>, Party, Party) {
    let clock = Arc::new(ManualClock::new(T0));
    let store = SqliteStore::open(dir.path().join("w.db"), clock.clone()).unwrap();
    let w = Wallet::open(store, clock, Currency::IDR).unwrap();
    let ani = w.open_customer("ani", Tier::Unverified).unwrap();
    let shop = w.open_merchant("kopi", "Kopi Kita", "Jakarta", 70).unwrap();
    (w, ani, shop)
}

#[test]
fn dynamic_code_is_paid_once_and_mdr_comes_from_the_merchant() {
    let dir = tempfile::tempdir().unwrap();
    let (w, ani, shop) = sqlite_shop(&dir);
    w.top_up(&ani, 100_000 * RP, None).unwrap();
    let code = w
        .merchant_code(&shop, Some(25_000 * RP), Some("INV-0001"), 900)
        .unwrap();
    let q = scan(&w, &code, &ani, None, None).unwrap();
    assert!(!q.already_paid && !q.name_mismatch);
    assert_eq!((q.amount, q.total), (25_000 * RP, 25_000 * RP));
    // 0.7% of Rp25,000 = Rp175, from the merchant, never added to the customer.
    assert_eq!(q.mdr, 175 * RP);
    assert_eq!(pay(&w, &q).unwrap().outcome, Outcome::Created);
    // A second scan of the same code: already paid, nothing charged.
    let again = scan(&w, &code, &ani, None, None).unwrap();
    assert!(again.already_paid);
    assert_eq!(again.id(), q.id());
    assert_eq!(pay(&w, &again).unwrap().outcome, Outcome::Exists);
    // Another customer scanning the paid code is told so, and is not charged.
    let budi = w.open_customer("budi", Tier::Unverified).unwrap();
    w.top_up(&budi, 50_000 * RP, None).unwrap();
    let other = scan(&w, &code, &budi, None, None).unwrap();
    assert!(other.already_paid);
    assert_eq!(rule(pay(&w, &other)), "code_already_paid");
    assert_eq!(balance(&w, budi.account), 50_000 * RP);
    assert_eq!(balance(&w, ani.account), 75_000 * RP);
    assert_eq!(balance(&w, shop.account), 24_825 * RP);
    let fees = w.system_account(AccountKind::FeeRevenue);
    assert_eq!(balance(&w, fees), 175 * RP);
    assert_eq!(
        debit_balance(&w, w.system_account(AccountKind::CashInClearing)),
        150_000 * RP
    );
    assert!(w.store().verify().unwrap().is_clean());
}

#[test]
fn tampered_amount_and_expired_code_are_refused() {
    let (w, clock) = wallet();
    let ani = w.open_customer("ani", Tier::Unverified).unwrap();
    let shop = w.open_merchant("kopi", "Kopi Kita", "Jakarta", 70).unwrap();
    w.top_up(&ani, 100_000 * RP, None).unwrap();
    let code = w
        .merchant_code(&shop, Some(25_000 * RP), Some("INV-7"), 900)
        .unwrap();
    // Someone rewrites tag 54 and recomputes the CRC: the code still decodes.
    let decoded = qrpay_core::decode(&code).unwrap();
    let tampered = PayloadBuilder::from_payload(&decoded)
        .amount("2500.00")
        .build()
        .unwrap();
    assert_ne!(tampered, code);
    assert_eq!(
        rule(scan(&w, &tampered, &ani, None, None)),
        "amount_tampered"
    );
    // A code this wallet never issued.
    let forged = PayloadBuilder::from_payload(&decoded)
        .additional_data(5, "INV-8")
        .build()
        .unwrap();
    assert_eq!(rule(scan(&w, &forged, &ani, None, None)), "unknown_code");
    // After 15 minutes the code expired.
    clock.advance(901 * 1_000_000_000);
    assert_eq!(rule(scan(&w, &code, &ani, None, None)), "code_expired");
    assert_eq!(balance(&w, ani.account), 100_000 * RP);
}

#[test]
fn tips_and_fees_are_legs_of_one_chain_and_sum_exactly() {
    let (w, _) = wallet();
    let ani = w.open_customer("ani", Tier::Unverified).unwrap();
    let shop = w.open_merchant("kopi", "Kopi Kita", "Jakarta", 70).unwrap();
    w.top_up(&ani, 1_000_000 * RP, None).unwrap();
    let base = |tip: TipOrConvenience| {
        PayloadBuilder::new()
            .point_of_initiation(PointOfInitiation::Static)
            .merchant_account(26, QRPAY_GUI, &[(1, shop.account.to_string().as_str())])
            .merchant_category_code("5814")
            .currency(qrpay_core::Currency::IDR)
            .tip_or_convenience(tip)
            .country_code("ID")
            .merchant_name("KOPI KITA")
            .merchant_city("Jakarta")
            .build()
            .unwrap()
    };
    // Percentage fee 2.5% on Rp12,345.67: 30864.175 minor units -> 30864 (half up).
    let code = base(TipOrConvenience::PercentageFee { hundredths: 250 });
    let q = scan(&w, &code, &ani, Some(1_234_567), None).unwrap();
    assert_eq!(q.fee, 30_864);
    assert_eq!(q.total, 1_234_567 + 30_864);
    // MDR 0.7% of 1,265,431 = 8858.017 -> 8858.
    assert_eq!(q.mdr, 8_858);
    // Half up at exactly one half.
    let q_half = scan(&w, &code, &ani, Some(20), None).unwrap();
    assert_eq!(q_half.fee, 1, "2.5% of 20 = 0.5 rounds half up to 1");
    let before_c = balance(&w, ani.account);
    let before_m = balance(&w, shop.account);
    let fees = w.system_account(AccountKind::FeeRevenue);
    let before_f = balance(&w, fees);
    assert_eq!(pay(&w, &q).unwrap().legs.len(), 3);
    assert_eq!(before_c - balance(&w, ani.account), q.total);
    assert_eq!(balance(&w, shop.account) - before_m, q.total - q.mdr);
    assert_eq!(balance(&w, fees) - before_f, q.mdr);
    // A prompted tip.
    let code = base(TipOrConvenience::PromptTip);
    let q = scan(&w, &code, &ani, Some(50_000 * RP), Some(5_000 * RP)).unwrap();
    assert_eq!((q.tip, q.total), (5_000 * RP, 55_000 * RP));
    pay(&w, &q).unwrap();
    // A tip on a code that does not offer one is refused.
    let plain = PayloadBuilder::from_payload(
        &qrpay_core::decode(&w.merchant_code(&shop, None, None, 0).unwrap()).unwrap(),
    )
    .build()
    .unwrap();
    assert_eq!(
        rule(scan(&w, &plain, &ani, Some(100), Some(1))),
        "tip_not_offered"
    );
    // A chain where the last leg would overdraw moves nothing.
    let poor = w.open_customer("poor", Tier::Unverified).unwrap();
    w.top_up(&poor, 10_000 * RP, None).unwrap();
    let code = base(TipOrConvenience::FixedFee(qrpay_core::Amount::from_minor(
        1, 0,
    )));
    let q = scan(&w, &code, &poor, Some(10_000 * RP), None).unwrap();
    assert_eq!(q.fee, RP);
    assert_eq!(rule(pay(&w, &q)), "insufficient_funds");
    assert_eq!(balance(&w, poor.account), 10_000 * RP);
}

/// The values of two top-level tags of a payload.
fn tags(payload: &str, ids: [u8; 2]) -> [Option<String>; 2] {
    let decoded = qrpay_core::decode(payload).unwrap();
    ids.map(|id| decoded.get(id).map(|o| o.value().to_owned()))
}

/// Pays `q` and checks that the legs sum exactly: what left the customer is what the
/// merchant kept plus the fee revenue's MDR, and equals amount + tip + fee.
fn pay_and_check_legs<S: Store>(
    w: &Wallet<S>,
    q: &qrpay_wallet::qr::Quote,
    customer: &Party,
    shop: &Party,
) -> qrpay_wallet::Receipt {
    let fees = w.system_account(AccountKind::FeeRevenue);
    let before = (
        balance(w, customer.account),
        balance(w, shop.account),
        balance(w, fees),
    );
    let receipt = pay(w, q).unwrap();
    assert_eq!(receipt.outcome, Outcome::Created);
    let paid = before.0 - balance(w, customer.account);
    let kept = balance(w, shop.account) - before.1;
    let mdr = balance(w, fees) - before.2;
    assert_eq!(paid, q.amount + q.tip + q.fee);
    assert_eq!(paid, q.total);
    assert_eq!(paid, kept + mdr);
    assert_eq!(mdr, q.mdr);
    let from_customer: u128 = receipt
        .legs
        .iter()
        .filter(|t| t.debit_account_id == customer.account)
        .map(|t| t.amount)
        .sum();
    assert_eq!(from_customer, q.total);
    receipt
}

#[test]
fn merchant_codes_with_a_tip_or_fee_are_paid_end_to_end() {
    use qrpay_wallet::qr::TipRule;
    let dir = tempfile::tempdir().unwrap();
    let (w, ani, shop) = sqlite_shop(&dir);
    w.top_up(&ani, 1_000_000 * RP, None).unwrap();

    // 55 = 01: a static code that prompts for a tip; the customer enters amount and tip.
    let code = w
        .merchant_code_with_tip(&shop, None, None, 0, TipRule::Prompt)
        .unwrap();
    let decoded = qrpay_core::decode(&code).unwrap();
    assert_eq!(decoded.get(55).map(|o| o.value()), Some("01"));
    assert_eq!(
        decoded.tip_or_convenience(),
        Some(TipOrConvenience::PromptTip)
    );
    let q = scan(&w, &code, &ani, Some(50_000 * RP), Some(5_000 * RP)).unwrap();
    assert_eq!((q.tip, q.fee, q.total), (5_000 * RP, 0, 55_000 * RP));
    let receipt = pay_and_check_legs(&w, &q, &ani, &shop);
    assert_eq!(receipt.legs.len(), 3, "payment, tip, mdr");

    // 55 = 02: a dynamic code with a fixed fee of Rp1,500.50 (56 in the major unit).
    let code = w
        .merchant_code_with_tip(
            &shop,
            Some(25_000 * RP),
            Some("INV-FEE-1"),
            900,
            TipRule::FixedFee(150_050),
        )
        .unwrap();
    assert_eq!(
        tags(&code, [55, 56]),
        [Some("02".into()), Some("1500.50".into())]
    );
    let q = scan(&w, &code, &ani, None, None).unwrap();
    assert_eq!((q.amount, q.fee), (25_000 * RP, 150_050));
    // MDR 0.7% of 2,650,050 = 18,550.35 -> 18,550.
    assert_eq!(q.mdr, 18_550);
    pay_and_check_legs(&w, &q, &ani, &shop);
    // Single use still holds with a fee: the second scan is already paid.
    let again = scan(&w, &code, &ani, None, None).unwrap();
    assert!(again.already_paid);
    assert_eq!(pay(&w, &again).unwrap().outcome, Outcome::Exists);

    // 55 = 03: a dynamic code with a 2.5% fee on Rp12,345.67: 30,864.175 -> 30,864 (half up).
    let code = w
        .merchant_code_with_tip(
            &shop,
            Some(1_234_567),
            Some("INV-FEE-2"),
            900,
            TipRule::PercentFee(250),
        )
        .unwrap();
    assert_eq!(
        tags(&code, [55, 57]),
        [Some("03".into()), Some("2.50".into())]
    );
    let q = scan(&w, &code, &ani, None, None).unwrap();
    assert_eq!((q.fee, q.total), (30_864, 1_234_567 + 30_864));
    pay_and_check_legs(&w, &q, &ani, &shop);

    // Fees a code cannot carry are refused, not silently dropped.
    for bad in [
        TipRule::FixedFee(0),
        TipRule::FixedFee(u128::from(u64::MAX) + 1),
        TipRule::PercentFee(0),
        TipRule::PercentFee(10_000),
    ] {
        assert_eq!(
            rule(w.merchant_code_with_tip(&shop, None, None, 0, bad)),
            "code_not_encodable",
            "{bad:?}"
        );
    }
    // No tip: the same code as merchant_code.
    assert_eq!(
        w.merchant_code_with_tip(&shop, None, None, 0, TipRule::None)
            .unwrap(),
        w.merchant_code(&shop, None, None, 0).unwrap()
    );
    assert!(w.store().verify().unwrap().is_clean());
}

#[test]
fn a_code_whose_name_differs_from_the_registry_is_flagged() {
    let (w, _) = wallet();
    let ani = w.open_customer("ani", Tier::Unverified).unwrap();
    let shop = w.open_merchant("kopi", "Kopi Kita", "Jakarta", 0).unwrap();
    let code = w.merchant_code(&shop, None, None, 0).unwrap();
    let q = scan(&w, &code, &ani, Some(100), None).unwrap();
    assert!(!q.name_mismatch);
    assert_eq!(q.merchant.merchant_name.as_deref(), Some("Kopi Kita"));
    let decoded = qrpay_core::decode(&code).unwrap();
    let renamed = PayloadBuilder::from_payload(&decoded)
        .merchant_name("BANK TRANSFER")
        .build()
        .unwrap();
    let q = scan(&w, &renamed, &ani, Some(100), None).unwrap();
    assert!(q.name_mismatch);
    assert_eq!(q.merchant.merchant_name.as_deref(), Some("Kopi Kita"));
}

#[test]
fn refunds_never_exceed_the_payment_even_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let store = SqliteStore::open(dir.path().join("w.db"), clock.clone()).unwrap();
    let w = Arc::new(Wallet::open(store, clock, Currency::IDR).unwrap());
    let ani = w.open_customer("ani", Tier::Unverified).unwrap();
    let shop = w.open_merchant("kopi", "Kopi Kita", "Jakarta", 0).unwrap();
    w.top_up(&ani, 100_000 * RP, None).unwrap();
    let q = w
        .quote(&ani, &static_request(&shop), Some(30_000 * RP), None, None)
        .unwrap();
    let paid = pay(&w, &q).unwrap().id();
    // Another customer's payment so the merchant could afford more than one refund.
    let other = w.open_customer("other", Tier::Unverified).unwrap();
    w.top_up(&other, 100_000 * RP, None).unwrap();
    let q2 = w
        .quote(
            &other,
            &static_request(&shop),
            Some(90_000 * RP),
            None,
            None,
        )
        .unwrap();
    pay(&w, &q2).unwrap();
    // Partial refund, then a full refund of the rest.
    let r1 = w.refund(paid, Some(10_000 * RP), None).unwrap();
    assert_eq!(r1.outcome, Outcome::Created);
    assert_eq!(
        rule(w.refund(paid, Some(20_000 * RP + 1), None)),
        "refund_exceeds_payment"
    );
    // 16 threads each try to refund Rp5,000: exactly 4 fit in the remaining Rp20,000.
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let w = Arc::clone(&w);
            std::thread::spawn(move || w.refund(paid, Some(5_000 * RP), None).is_ok())
        })
        .collect();
    let ok = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|ok| *ok)
        .count();
    assert_eq!(ok, 4);
    assert_eq!(w.store().refunded(paid).unwrap(), 30_000 * RP);
    assert_eq!(rule(w.refund(paid, None, None)), "nothing_left_to_refund");
    assert!(w.store().verify().unwrap().is_clean());
}

#[test]
fn settlement_is_two_phase() {
    let (w, _) = wallet();
    let ani = w.open_customer("ani", Tier::Unverified).unwrap();
    let shop = w.open_merchant("kopi", "Kopi Kita", "Jakarta", 0).unwrap();
    w.top_up(&ani, 100_000 * RP, None).unwrap();
    let q = w
        .quote(&ani, &static_request(&shop), Some(50_000 * RP), None, None)
        .unwrap();
    pay(&w, &q).unwrap();
    let s = w.settle(&shop, 40_000 * RP, None).unwrap();
    // Reserved: the merchant cannot settle the same money twice.
    assert_eq!(
        rule(w.settle(&shop, 20_000 * RP, None)),
        "insufficient_funds"
    );
    let failed = w.fail_settlement(s.id(), None).unwrap();
    assert_eq!(failed.outcome, Outcome::Created);
    assert_eq!(balance(&w, shop.account), 50_000 * RP);
    let s = w.settle(&shop, 50_000 * RP, None).unwrap();
    w.confirm_settlement(s.id(), None).unwrap();
    assert_eq!(balance(&w, shop.account), 0);
    assert_eq!(
        rule(w.confirm_settlement(s.id(), None)),
        "pending_transfer_already_posted"
    );
    assert!(w.store().verify().unwrap().is_clean());
}

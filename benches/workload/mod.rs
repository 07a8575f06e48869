//! The ledger workload the `ledger` and `postgres` benches share: 10,000 customers with no
//! overdraft (every payment checks the balance), funded by top-ups from a cash account, paying
//! 10 hot merchants (every transfer credits one of them), amounts 1 to 50,000 minor units, ids
//! time-ordered.

use std::sync::atomic::{AtomicU64, Ordering};

use qrpay::wallet::account::{Account, AccountFlags, AccountKind};
use qrpay::wallet::{Event, Id, Transfer, TransferCode};

pub const IDR: u32 = 360;
pub const CUSTOMERS: u128 = 10_000;
pub const HOT_MERCHANTS: u128 = 10;
/// Rp10,000,000,000,000 in minor units per customer: more than any run spends.
pub const FUNDS: u128 = 1_000_000_000_000_000;
pub const CASH: Id = Id::from_u128(1);

pub static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub fn next_id() -> Id {
    // Time-ordered-like: a counter in the high bits so inserts append.
    Id::from_u128((u128::from(NEXT_ID.fetch_add(1, Ordering::Relaxed)) << 64) | 0xbe9c)
}

pub fn customer(i: u128) -> Id {
    Id::from_u128(1_000 + i)
}

pub fn merchant(i: u128) -> Id {
    Id::from_u128(100 + i)
}

/// Accounts and top-ups: no-overdraft customers (balance checks on), hot merchants. The top-up
/// of customer `c` gets the id `top_up_id(c)`.
pub fn setup_events(mut top_up_id: impl FnMut(u128) -> Id) -> Vec<Event> {
    let mut v = vec![Event::Account(Account::new(
        CASH,
        IDR,
        AccountKind::CashInClearing,
    ))];
    for m in 0..HOT_MERCHANTS {
        v.push(Event::Account(Account::new(
            merchant(m),
            IDR,
            AccountKind::Merchant,
        )));
    }
    for c in 0..CUSTOMERS {
        v.push(Event::Account(
            Account::new(customer(c), IDR, AccountKind::Customer)
                .flags(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS),
        ));
        v.push(Event::Transfer(Transfer::new(
            top_up_id(c),
            CASH,
            customer(c),
            FUNDS,
            IDR,
            TransferCode::TopUp,
        )));
    }
    v
}

/// `n` payments from customers to the few hot merchants.
pub fn payments(n: u128, seed: u128) -> Vec<Event> {
    payments_from(n, seed, CUSTOMERS)
}

/// `n` payments from the first `customers` customers to the hot merchants.
pub fn payments_from(n: u128, seed: u128, customers: u128) -> Vec<Event> {
    (0..n)
        .map(|k| {
            Event::Transfer(Transfer::new(
                next_id(),
                customer((seed * 7_919 + k * 13) % customers),
                merchant(k % HOT_MERCHANTS),
                1 + k % 50_000,
                IDR,
                TransferCode::Payment,
            ))
        })
        .collect()
}

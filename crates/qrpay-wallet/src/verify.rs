//! Recomputing balances from transfers: the check every store's `verify` shares.

use std::collections::HashMap;

use crate::account::{Account, Balances};
use crate::id::Id;
use crate::ledger::{PendingInfo, PendingStatus};
use crate::store::{Finding, VerifyReport};
use crate::transfer::{Transfer, TransferFlags};

/// Recomputes every account's balances from the transfers (a pending transfer counts as pending
/// while its status is pending; a post counts as posted; a void counts nothing) and reports the
/// accounts whose stored balances differ. Also checks Σ debits = Σ credits.
pub fn recompute(
    accounts: impl Iterator<Item = Account>,
    transfers: impl Iterator<Item = Transfer>,
    pending: impl Fn(Id) -> Option<PendingInfo>,
) -> VerifyReport {
    let mut computed: HashMap<Id, Balances> = HashMap::new();
    let mut report = VerifyReport::default();
    for t in transfers {
        report.transfers = report.transfers.saturating_add(1);
        let (pend, posted) = if t.flags.contains(TransferFlags::PENDING) {
            match pending(t.id).map(|p| p.status) {
                Some(PendingStatus::Pending) => (t.amount, 0),
                _ => (0, 0),
            }
        } else if t.flags.contains(TransferFlags::VOID_PENDING) {
            (0, 0)
        } else {
            (0, t.amount)
        };
        let d = computed.entry(t.debit_account_id).or_default();
        d.debits_pending = d.debits_pending.wrapping_add(pend);
        d.debits_posted = d.debits_posted.wrapping_add(posted);
        let c = computed.entry(t.credit_account_id).or_default();
        c.credits_pending = c.credits_pending.wrapping_add(pend);
        c.credits_posted = c.credits_posted.wrapping_add(posted);
    }
    let mut ids: Vec<Account> = accounts.collect();
    ids.sort_by_key(|a| a.id);
    for a in &ids {
        report.accounts = report.accounts.saturating_add(1);
        let want = computed.remove(&a.id).unwrap_or_default();
        if want != a.balances {
            report.findings.push(Finding::BalanceMismatch { id: a.id });
        }
    }
    // Transfers that name accounts which do not exist.
    let mut orphans: Vec<Id> = computed.into_keys().collect();
    orphans.sort();
    for id in orphans {
        report.findings.push(Finding::BalanceMismatch { id });
    }
    report
}

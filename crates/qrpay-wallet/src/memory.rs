//! An in-memory store: the whole ledger in one [`Ledger`] behind a mutex. For tests,
//! simulations and the benchmark of the state machine; nothing is durable.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::account::Account;
use crate::id::{Clock, Id};
use crate::ledger::{Event, Ledger, PendingInfo};
use crate::outcome::Outcome;
use crate::store::{IssuedCode, Party, Store, StoreError, VerifyReport};
use crate::transfer::{Transfer, TransferCode};

/// The in-memory store.
#[derive(Debug)]
pub struct MemoryStore<C: Clock> {
    clock: C,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    ledger: Ledger,
    parties: HashMap<Id, Party>,
    settings: HashMap<String, Vec<u8>>,
    codes: HashMap<(Id, String), IssuedCode>,
}

impl<C: Clock> MemoryStore<C> {
    /// An empty store that takes time from `clock`.
    pub fn new(clock: C) -> MemoryStore<C> {
        MemoryStore {
            clock,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Runs `f` with the ledger (read-only).
    pub fn with_ledger<R>(&self, f: impl FnOnce(&Ledger) -> R) -> R {
        f(&self.lock().ledger)
    }
}

impl<C: Clock> Store for MemoryStore<C> {
    fn submit(&self, events: &[Event]) -> Result<Vec<Outcome>, StoreError> {
        let mut inner = self.lock();
        let ts = self
            .clock
            .now_ns()
            .max(inner.ledger.last_timestamp().saturating_add(1));
        Ok(inner.ledger.apply(ts, events)?)
    }

    fn account(&self, id: Id) -> Result<Option<Account>, StoreError> {
        Ok(self.lock().ledger.account(id).copied())
    }

    fn transfer(&self, id: Id) -> Result<Option<Transfer>, StoreError> {
        Ok(self.lock().ledger.transfer(id).copied())
    }

    fn pending(&self, id: Id) -> Result<Option<PendingInfo>, StoreError> {
        Ok(self.lock().ledger.pending(id))
    }

    fn refunded(&self, payment: Id) -> Result<u128, StoreError> {
        Ok(self.lock().ledger.refunded(payment))
    }

    fn history(&self, account: Id, limit: usize) -> Result<Vec<Transfer>, StoreError> {
        let inner = self.lock();
        let mut v: Vec<Transfer> = inner
            .ledger
            .transfers()
            .filter(|t| t.debit_account_id == account || t.credit_account_id == account)
            .copied()
            .collect();
        v.sort_by_key(|t| std::cmp::Reverse(t.timestamp));
        v.truncate(limit);
        Ok(v)
    }

    fn referencing(&self, payment: Id) -> Result<Vec<Transfer>, StoreError> {
        let inner = self.lock();
        let mut v: Vec<Transfer> = inner
            .ledger
            .transfers()
            .filter(|t| t.code == TransferCode::Refund && t.reference == Some(payment))
            .copied()
            .collect();
        v.sort_by_key(|t| t.timestamp);
        Ok(v)
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        let inner = self.lock();
        Ok(crate::verify::recompute(
            inner.ledger.accounts().copied(),
            inner.ledger.transfers().copied(),
            |id| inner.ledger.pending(id),
        ))
    }

    fn put_party(&self, party: &Party) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner
            .parties
            .values()
            .any(|p| p.label == party.label && p.account != party.account)
        {
            return Err(StoreError::LabelTaken(party.label.clone()));
        }
        inner.parties.insert(party.account, party.clone());
        Ok(())
    }

    fn party_by_label(&self, label: &str) -> Result<Option<Party>, StoreError> {
        Ok(self
            .lock()
            .parties
            .values()
            .find(|p| p.label == label)
            .cloned())
    }

    fn party(&self, account: Id) -> Result<Option<Party>, StoreError> {
        Ok(self.lock().parties.get(&account).cloned())
    }

    fn setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.lock().settings.get(name).cloned())
    }

    fn put_code(&self, code: &IssuedCode) -> Result<(), StoreError> {
        self.lock()
            .codes
            .insert((code.merchant, code.reference.clone()), code.clone());
        Ok(())
    }

    fn issued_code(&self, merchant: Id, reference: &str) -> Result<Option<IssuedCode>, StoreError> {
        Ok(self
            .lock()
            .codes
            .get(&(merchant, reference.to_owned()))
            .cloned())
    }

    fn init_setting(&self, name: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .lock()
            .settings
            .entry(name.to_owned())
            .or_insert_with(|| value.to_vec())
            .clone())
    }
}

impl<S: Store + ?Sized> Store for Arc<S> {
    fn submit(&self, events: &[Event]) -> Result<Vec<Outcome>, StoreError> {
        (**self).submit(events)
    }
    fn account(&self, id: Id) -> Result<Option<Account>, StoreError> {
        (**self).account(id)
    }
    fn transfer(&self, id: Id) -> Result<Option<Transfer>, StoreError> {
        (**self).transfer(id)
    }
    fn pending(&self, id: Id) -> Result<Option<PendingInfo>, StoreError> {
        (**self).pending(id)
    }
    fn refunded(&self, payment: Id) -> Result<u128, StoreError> {
        (**self).refunded(payment)
    }
    fn history(&self, account: Id, limit: usize) -> Result<Vec<Transfer>, StoreError> {
        (**self).history(account, limit)
    }
    fn referencing(&self, payment: Id) -> Result<Vec<Transfer>, StoreError> {
        (**self).referencing(payment)
    }
    fn verify(&self) -> Result<VerifyReport, StoreError> {
        (**self).verify()
    }
    fn put_party(&self, party: &Party) -> Result<(), StoreError> {
        (**self).put_party(party)
    }
    fn party_by_label(&self, label: &str) -> Result<Option<Party>, StoreError> {
        (**self).party_by_label(label)
    }
    fn party(&self, account: Id) -> Result<Option<Party>, StoreError> {
        (**self).party(account)
    }
    fn setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).setting(name)
    }
    fn init_setting(&self, name: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        (**self).init_setting(name, value)
    }
    fn put_code(&self, code: &IssuedCode) -> Result<(), StoreError> {
        (**self).put_code(code)
    }
    fn issued_code(&self, merchant: Id, reference: &str) -> Result<Option<IssuedCode>, StoreError> {
        (**self).issued_code(merchant, reference)
    }
}

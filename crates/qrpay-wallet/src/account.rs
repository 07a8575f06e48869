//! Accounts: immutable identity and rules, and the four balances the ledger keeps.

use crate::id::Id;

/// What an account is for. System accounts (clearing, fee revenue) belong to the wallet operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum AccountKind {
    /// A person's wallet.
    Customer = 1,
    /// A merchant that receives payments.
    Merchant = 2,
    /// Money in from banks and agents (debited by top-ups).
    CashInClearing = 3,
    /// Money out to merchants' banks (credited by settlements).
    SettlementClearing = 4,
    /// The operator's fee income (merchant discount rate, convenience fees).
    FeeRevenue = 5,
}

impl AccountKind {
    /// Every kind, in code order.
    pub const ALL: [AccountKind; 5] = [
        AccountKind::Customer,
        AccountKind::Merchant,
        AccountKind::CashInClearing,
        AccountKind::SettlementClearing,
        AccountKind::FeeRevenue,
    ];

    /// The stored code.
    #[must_use]
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The kind for a stored code.
    #[must_use]
    pub fn from_code(code: u8) -> Option<AccountKind> {
        AccountKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The name used in the CLI and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Customer => "customer",
            AccountKind::Merchant => "merchant",
            AccountKind::CashInClearing => "cash_in_clearing",
            AccountKind::SettlementClearing => "settlement_clearing",
            AccountKind::FeeRevenue => "fee_revenue",
        }
    }
}

/// Account flags, as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AccountFlags(u16);

impl AccountFlags {
    /// No flags.
    pub const NONE: AccountFlags = AccountFlags(0);
    /// This event is linked with the next one in the batch: they succeed or fail together.
    pub const LINKED: AccountFlags = AccountFlags(1);
    /// Debits (pending and posted) may never exceed posted credits: no overdraft.
    pub const DEBITS_MUST_NOT_EXCEED_CREDITS: AccountFlags = AccountFlags(2);

    const KNOWN: u16 = 3;

    /// The bits.
    #[must_use]
    pub fn bits(self) -> u16 {
        self.0
    }

    /// Flags from bits, if every bit is known.
    #[must_use]
    pub fn from_bits(bits: u16) -> Option<AccountFlags> {
        (bits & !Self::KNOWN == 0).then_some(AccountFlags(bits))
    }

    /// Whether all of `other` is set.
    #[must_use]
    pub fn contains(self, other: AccountFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Both sets of flags.
    #[must_use]
    pub fn union(self, other: AccountFlags) -> AccountFlags {
        AccountFlags(self.0 | other.0)
    }

    /// These flags without `other`.
    #[must_use]
    pub fn without(self, other: AccountFlags) -> AccountFlags {
        AccountFlags(self.0 & !other.0)
    }
}

/// The four running totals of an account, in minor units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Balances {
    /// Debits reserved by pending transfers.
    pub debits_pending: u128,
    /// Debits posted.
    pub debits_posted: u128,
    /// Credits reserved by pending transfers.
    pub credits_pending: u128,
    /// Credits posted.
    pub credits_posted: u128,
}

impl Balances {
    /// Posted credits minus posted debits, for accounts whose credits normally exceed debits
    /// (customers, merchants); `None` when debits exceed credits.
    #[must_use]
    pub fn credit_balance(&self) -> Option<u128> {
        self.credits_posted.checked_sub(self.debits_posted)
    }

    /// What the owner can spend: posted credits minus posted and pending debits.
    #[must_use]
    pub fn available(&self) -> u128 {
        self.credits_posted
            .saturating_sub(self.debits_posted)
            .saturating_sub(self.debits_pending)
    }
}

/// The running total of posted credits in one calendar month (UTC), for a monthly incoming
/// limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MonthlyIncoming {
    /// Months since January 1970 (`year * 12 + month - 1` from 1970).
    pub month: u32,
    /// Credits posted in that month, refunds excluded.
    pub total: u128,
}

/// An account. Identity and rules are immutable once created; balances change with transfers.
///
/// The ledger holds no personal data: names and phone numbers live outside it, keyed by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Account {
    /// The client-chosen id.
    pub id: Id,
    /// The ledger (currency) number: ISO 4217 numeric code.
    pub ledger: u32,
    /// What the account is for.
    pub kind: AccountKind,
    /// Rules and the linked flag.
    pub flags: AccountFlags,
    /// Credits (posted and pending) minus posted debits may not exceed this (a tier's balance
    /// cap); `None` for no cap.
    pub max_balance: Option<u128>,
    /// Posted credits in one calendar month (refunds excluded) may not exceed this.
    pub monthly_incoming_max: Option<u128>,
    /// The running totals; must be zero when creating.
    pub balances: Balances,
    /// This month's incoming total; must be zero when creating.
    pub incoming: MonthlyIncoming,
    /// Assigned by the ledger when created; must be zero when creating.
    pub timestamp: u64,
}

impl Account {
    /// A new account with no flags and no limits.
    #[must_use]
    pub fn new(id: Id, ledger: u32, kind: AccountKind) -> Account {
        Account {
            id,
            ledger,
            kind,
            flags: AccountFlags::NONE,
            max_balance: None,
            monthly_incoming_max: None,
            balances: Balances::default(),
            incoming: MonthlyIncoming::default(),
            timestamp: 0,
        }
    }

    /// With these flags.
    #[must_use]
    pub fn flags(mut self, flags: AccountFlags) -> Account {
        self.flags = flags;
        self
    }

    /// With a balance cap.
    #[must_use]
    pub fn max_balance(mut self, max_balance: Option<u128>) -> Account {
        self.max_balance = max_balance;
        self
    }

    /// With a monthly incoming limit.
    #[must_use]
    pub fn monthly_incoming_max(mut self, max: Option<u128>) -> Account {
        self.monthly_incoming_max = max;
        self
    }
}

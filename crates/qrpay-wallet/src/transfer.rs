//! Transfers: immutable movements of an amount from one account to another on one ledger.

use crate::id::Id;

/// Transfer flags, as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TransferFlags(u16);

impl TransferFlags {
    /// No flags: a single-phase transfer, posted at once.
    pub const NONE: TransferFlags = TransferFlags(0);
    /// Linked with the next event in the batch: they succeed or fail together.
    pub const LINKED: TransferFlags = TransferFlags(1);
    /// Reserves the amount (first phase of a two-phase transfer).
    pub const PENDING: TransferFlags = TransferFlags(2);
    /// Posts a pending transfer (any amount up to the pending amount).
    pub const POST_PENDING: TransferFlags = TransferFlags(4);
    /// Voids a pending transfer.
    pub const VOID_PENDING: TransferFlags = TransferFlags(8);

    const KNOWN: u16 = 15;

    /// The bits.
    #[must_use]
    pub fn bits(self) -> u16 {
        self.0
    }

    /// Flags from bits, if every bit is known.
    #[must_use]
    pub fn from_bits(bits: u16) -> Option<TransferFlags> {
        (bits & !Self::KNOWN == 0).then_some(TransferFlags(bits))
    }

    /// Whether all of `other` is set.
    #[must_use]
    pub fn contains(self, other: TransferFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Both sets of flags.
    #[must_use]
    pub fn union(self, other: TransferFlags) -> TransferFlags {
        TransferFlags(self.0 | other.0)
    }

    /// These flags without `other`.
    #[must_use]
    pub fn without(self, other: TransferFlags) -> TransferFlags {
        TransferFlags(self.0 & !other.0)
    }
}

/// Why money moved. Stored as a number; the refund rules depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
#[non_exhaustive]
pub enum TransferCode {
    /// Money in from cash-in clearing.
    TopUp = 1,
    /// A customer pays a merchant.
    Payment = 2,
    /// A tip to the merchant.
    Tip = 3,
    /// A convenience fee the customer pays (to the merchant or the operator).
    ConvenienceFee = 4,
    /// The merchant discount rate, from the merchant to fee revenue.
    Mdr = 5,
    /// Money back to a customer; must reference the original payment.
    Refund = 6,
    /// A merchant's payout to its bank, through settlement clearing.
    Settlement = 7,
    /// Customer to customer.
    PeerTransfer = 8,
    /// Fee given back to the merchant with a refund.
    MdrRefund = 9,
}

impl TransferCode {
    /// Every code, in number order.
    pub const ALL: [TransferCode; 9] = [
        TransferCode::TopUp,
        TransferCode::Payment,
        TransferCode::Tip,
        TransferCode::ConvenienceFee,
        TransferCode::Mdr,
        TransferCode::Refund,
        TransferCode::Settlement,
        TransferCode::PeerTransfer,
        TransferCode::MdrRefund,
    ];

    /// The stored number.
    #[must_use]
    pub fn number(self) -> u16 {
        self as u16
    }

    /// The code for a stored number.
    #[must_use]
    pub fn from_number(number: u16) -> Option<TransferCode> {
        TransferCode::ALL.into_iter().find(|c| c.number() == number)
    }

    /// The name used in the CLI and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TransferCode::TopUp => "top_up",
            TransferCode::Payment => "payment",
            TransferCode::Tip => "tip",
            TransferCode::ConvenienceFee => "convenience_fee",
            TransferCode::Mdr => "mdr",
            TransferCode::Refund => "refund",
            TransferCode::Settlement => "settlement",
            TransferCode::PeerTransfer => "peer_transfer",
            TransferCode::MdrRefund => "mdr_refund",
        }
    }

    /// Whether a refund may reference a transfer with this code.
    #[must_use]
    pub fn is_refundable(self) -> bool {
        matches!(
            self,
            TransferCode::Payment | TransferCode::Tip | TransferCode::ConvenienceFee
        )
    }
}

/// A transfer. Immutable once created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Transfer {
    /// The client-chosen id (the idempotency key).
    pub id: Id,
    /// The account debited.
    pub debit_account_id: Id,
    /// The account credited.
    pub credit_account_id: Id,
    /// Minor units.
    pub amount: u128,
    /// For post and void: the pending transfer.
    pub pending_id: Option<Id>,
    /// For refunds: the original payment.
    pub reference: Option<Id>,
    /// For pending transfers: seconds until it expires; 0 for never.
    pub timeout_s: u32,
    /// The ledger (currency) number.
    pub ledger: u32,
    /// Why money moved.
    pub code: TransferCode,
    /// Phase and linking.
    pub flags: TransferFlags,
    /// Assigned by the ledger; must be zero when creating.
    pub timestamp: u64,
}

impl Transfer {
    /// A single-phase transfer.
    #[must_use]
    pub fn new(
        id: Id,
        debit_account_id: Id,
        credit_account_id: Id,
        amount: u128,
        ledger: u32,
        code: TransferCode,
    ) -> Transfer {
        Transfer {
            id,
            debit_account_id,
            credit_account_id,
            amount,
            pending_id: None,
            reference: None,
            timeout_s: 0,
            ledger,
            code,
            flags: TransferFlags::NONE,
            timestamp: 0,
        }
    }

    /// With these flags.
    #[must_use]
    pub fn flags(mut self, flags: TransferFlags) -> Transfer {
        self.flags = flags;
        self
    }

    /// Linked with the next event.
    #[must_use]
    pub fn linked(mut self) -> Transfer {
        self.flags = self.flags.union(TransferFlags::LINKED);
        self
    }

    /// Referencing a pending transfer (post or void).
    #[must_use]
    pub fn pending_id(mut self, pending_id: Id) -> Transfer {
        self.pending_id = Some(pending_id);
        self
    }

    /// Referencing an original payment (refund).
    #[must_use]
    pub fn reference(mut self, reference: Id) -> Transfer {
        self.reference = Some(reference);
        self
    }

    /// With a timeout (pending transfers).
    #[must_use]
    pub fn timeout_s(mut self, timeout_s: u32) -> Transfer {
        self.timeout_s = timeout_s;
        self
    }
}

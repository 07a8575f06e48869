//! The result of applying one event, with TigerBeetle's names.

use std::fmt;

/// What happened to one event of a batch. Everything but [`Outcome::Created`] changed nothing.
///
/// [`Outcome::Exists`] means an identical event was applied before: a retry is safe and is a
/// success for the caller. Names follow TigerBeetle's result codes (`exists_with_different_amount`,
/// `id_already_failed`, `linked_event_failed`); the wallet adds rules TigerBeetle lacks
/// (balance caps, monthly limits, refunds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum Outcome {
    /// The event was applied.
    Created = 0,
    /// An event with this id and the same fields was applied before.
    Exists = 1,
    /// Another event of the linked chain failed.
    LinkedEventFailed = 2,
    /// The last event of the batch is linked to nothing.
    LinkedEventChainOpen = 3,
    /// The timestamp is assigned by the ledger.
    TimestampMustBeZero = 4,
    /// Zero is reserved.
    IdMustNotBeZero = 5,
    /// U128::MAX is reserved.
    IdMustNotBeIntMax = 6,
    /// An event with this id failed before for a reason that depended on state.
    IdAlreadyFailed = 7,
    /// More than one of pending, post and void.
    FlagsAreMutuallyExclusive = 8,
    /// No ledger given.
    LedgerMustNotBeZero = 9,
    /// The id exists with other flags.
    ExistsWithDifferentFlags = 10,
    /// The id exists with another ledger.
    ExistsWithDifferentLedger = 11,
    /// The id exists with another kind.
    ExistsWithDifferentKind = 12,
    /// The id exists with another balance cap.
    ExistsWithDifferentMaxBalance = 13,
    /// The id exists with another monthly incoming limit.
    ExistsWithDifferentMonthlyIncomingMax = 14,
    /// A new account starts empty.
    BalancesMustBeZero = 15,
    /// No debit account.
    DebitAccountIdMustNotBeZero = 16,
    /// No credit account.
    CreditAccountIdMustNotBeZero = 17,
    /// Debit and credit are the same account.
    AccountsMustBeDifferent = 18,
    /// Only post and void reference a pending transfer.
    PendingIdMustBeZero = 19,
    /// Post and void must reference a pending transfer.
    PendingIdMustNotBeZero = 20,
    /// A transfer cannot post or void itself.
    PendingIdMustBeDifferent = 21,
    /// Only pending transfers expire.
    TimeoutReservedForPendingTransfer = 22,
    /// Nothing to move.
    AmountMustNotBeZero = 23,
    /// A refund must reference the original payment.
    ReferenceMustNotBeZero = 24,
    /// Refunds are single-phase.
    RefundMustNotBePending = 25,
    /// The id exists with another debit account.
    ExistsWithDifferentDebitAccountId = 26,
    /// The id exists with another credit account.
    ExistsWithDifferentCreditAccountId = 27,
    /// The id exists with another amount.
    ExistsWithDifferentAmount = 28,
    /// The id exists with another pending transfer.
    ExistsWithDifferentPendingId = 29,
    /// The id exists with another reference.
    ExistsWithDifferentReference = 30,
    /// The id exists with another timeout.
    ExistsWithDifferentTimeout = 31,
    /// The id exists with another code.
    ExistsWithDifferentCode = 32,
    /// The debit account does not exist.
    DebitAccountNotFound = 33,
    /// The credit account does not exist.
    CreditAccountNotFound = 34,
    /// The accounts are in different currencies.
    AccountsMustHaveTheSameLedger = 35,
    /// The transfer's currency is not the accounts'.
    TransferMustHaveTheSameLedgerAsAccounts = 36,
    /// The pending transfer does not exist.
    PendingTransferNotFound = 37,
    /// The referenced transfer is not a pending one.
    PendingTransferNotPending = 38,
    /// Post or void names another debit account.
    PendingTransferHasDifferentDebitAccountId = 39,
    /// Post or void names another credit account.
    PendingTransferHasDifferentCreditAccountId = 40,
    /// Post or void names another ledger.
    PendingTransferHasDifferentLedger = 41,
    /// Post or void names another code.
    PendingTransferHasDifferentCode = 42,
    /// Post for more than was reserved.
    ExceedsPendingTransferAmount = 43,
    /// Void for another amount than was reserved.
    PendingTransferHasDifferentAmount = 44,
    /// The pending transfer was posted.
    PendingTransferAlreadyPosted = 45,
    /// The pending transfer was voided.
    PendingTransferAlreadyVoided = 46,
    /// The pending transfer expired.
    PendingTransferExpired = 47,
    /// The refunded payment does not exist.
    ReferenceNotFound = 48,
    /// The referenced transfer is not a posted payment, tip or fee.
    ReferenceNotRefundable = 49,
    /// A refund must reverse the original's accounts.
    RefundAccountsMismatch = 50,
    /// Refunds would exceed the original payment.
    ExceedsRefundableAmount = 51,
    /// Debits pending would overflow.
    OverflowsDebitsPending = 52,
    /// Credits pending would overflow.
    OverflowsCreditsPending = 53,
    /// Debits posted would overflow.
    OverflowsDebitsPosted = 54,
    /// Credits posted would overflow.
    OverflowsCreditsPosted = 55,
    /// Debits would overflow.
    OverflowsDebits = 56,
    /// Credits would overflow.
    OverflowsCredits = 57,
    /// The expiry time would overflow.
    OverflowsTimeout = 58,
    /// The debit account would be overdrawn.
    ExceedsCredits = 59,
    /// The credit account would exceed its balance cap.
    ExceedsMaxBalance = 60,
    /// The credit account would exceed its monthly incoming limit.
    ExceedsMonthlyIncomingLimit = 61,
}

impl Outcome {
    /// Every outcome, in code order.
    pub const ALL: [Outcome; 62] = [
        Outcome::Created,
        Outcome::Exists,
        Outcome::LinkedEventFailed,
        Outcome::LinkedEventChainOpen,
        Outcome::TimestampMustBeZero,
        Outcome::IdMustNotBeZero,
        Outcome::IdMustNotBeIntMax,
        Outcome::IdAlreadyFailed,
        Outcome::FlagsAreMutuallyExclusive,
        Outcome::LedgerMustNotBeZero,
        Outcome::ExistsWithDifferentFlags,
        Outcome::ExistsWithDifferentLedger,
        Outcome::ExistsWithDifferentKind,
        Outcome::ExistsWithDifferentMaxBalance,
        Outcome::ExistsWithDifferentMonthlyIncomingMax,
        Outcome::BalancesMustBeZero,
        Outcome::DebitAccountIdMustNotBeZero,
        Outcome::CreditAccountIdMustNotBeZero,
        Outcome::AccountsMustBeDifferent,
        Outcome::PendingIdMustBeZero,
        Outcome::PendingIdMustNotBeZero,
        Outcome::PendingIdMustBeDifferent,
        Outcome::TimeoutReservedForPendingTransfer,
        Outcome::AmountMustNotBeZero,
        Outcome::ReferenceMustNotBeZero,
        Outcome::RefundMustNotBePending,
        Outcome::ExistsWithDifferentDebitAccountId,
        Outcome::ExistsWithDifferentCreditAccountId,
        Outcome::ExistsWithDifferentAmount,
        Outcome::ExistsWithDifferentPendingId,
        Outcome::ExistsWithDifferentReference,
        Outcome::ExistsWithDifferentTimeout,
        Outcome::ExistsWithDifferentCode,
        Outcome::DebitAccountNotFound,
        Outcome::CreditAccountNotFound,
        Outcome::AccountsMustHaveTheSameLedger,
        Outcome::TransferMustHaveTheSameLedgerAsAccounts,
        Outcome::PendingTransferNotFound,
        Outcome::PendingTransferNotPending,
        Outcome::PendingTransferHasDifferentDebitAccountId,
        Outcome::PendingTransferHasDifferentCreditAccountId,
        Outcome::PendingTransferHasDifferentLedger,
        Outcome::PendingTransferHasDifferentCode,
        Outcome::ExceedsPendingTransferAmount,
        Outcome::PendingTransferHasDifferentAmount,
        Outcome::PendingTransferAlreadyPosted,
        Outcome::PendingTransferAlreadyVoided,
        Outcome::PendingTransferExpired,
        Outcome::ReferenceNotFound,
        Outcome::ReferenceNotRefundable,
        Outcome::RefundAccountsMismatch,
        Outcome::ExceedsRefundableAmount,
        Outcome::OverflowsDebitsPending,
        Outcome::OverflowsCreditsPending,
        Outcome::OverflowsDebitsPosted,
        Outcome::OverflowsCreditsPosted,
        Outcome::OverflowsDebits,
        Outcome::OverflowsCredits,
        Outcome::OverflowsTimeout,
        Outcome::ExceedsCredits,
        Outcome::ExceedsMaxBalance,
        Outcome::ExceedsMonthlyIncomingLimit,
    ];

    /// The name, in TigerBeetle's snake case (`exists_with_different_amount`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Exists => "exists",
            Outcome::LinkedEventFailed => "linked_event_failed",
            Outcome::LinkedEventChainOpen => "linked_event_chain_open",
            Outcome::TimestampMustBeZero => "timestamp_must_be_zero",
            Outcome::IdMustNotBeZero => "id_must_not_be_zero",
            Outcome::IdMustNotBeIntMax => "id_must_not_be_int_max",
            Outcome::IdAlreadyFailed => "id_already_failed",
            Outcome::FlagsAreMutuallyExclusive => "flags_are_mutually_exclusive",
            Outcome::LedgerMustNotBeZero => "ledger_must_not_be_zero",
            Outcome::ExistsWithDifferentFlags => "exists_with_different_flags",
            Outcome::ExistsWithDifferentLedger => "exists_with_different_ledger",
            Outcome::ExistsWithDifferentKind => "exists_with_different_kind",
            Outcome::ExistsWithDifferentMaxBalance => "exists_with_different_max_balance",
            Outcome::ExistsWithDifferentMonthlyIncomingMax => {
                "exists_with_different_monthly_incoming_max"
            }
            Outcome::BalancesMustBeZero => "balances_must_be_zero",
            Outcome::DebitAccountIdMustNotBeZero => "debit_account_id_must_not_be_zero",
            Outcome::CreditAccountIdMustNotBeZero => "credit_account_id_must_not_be_zero",
            Outcome::AccountsMustBeDifferent => "accounts_must_be_different",
            Outcome::PendingIdMustBeZero => "pending_id_must_be_zero",
            Outcome::PendingIdMustNotBeZero => "pending_id_must_not_be_zero",
            Outcome::PendingIdMustBeDifferent => "pending_id_must_be_different",
            Outcome::TimeoutReservedForPendingTransfer => "timeout_reserved_for_pending_transfer",
            Outcome::AmountMustNotBeZero => "amount_must_not_be_zero",
            Outcome::ReferenceMustNotBeZero => "reference_must_not_be_zero",
            Outcome::RefundMustNotBePending => "refund_must_not_be_pending",
            Outcome::ExistsWithDifferentDebitAccountId => "exists_with_different_debit_account_id",
            Outcome::ExistsWithDifferentCreditAccountId => {
                "exists_with_different_credit_account_id"
            }
            Outcome::ExistsWithDifferentAmount => "exists_with_different_amount",
            Outcome::ExistsWithDifferentPendingId => "exists_with_different_pending_id",
            Outcome::ExistsWithDifferentReference => "exists_with_different_reference",
            Outcome::ExistsWithDifferentTimeout => "exists_with_different_timeout",
            Outcome::ExistsWithDifferentCode => "exists_with_different_code",
            Outcome::DebitAccountNotFound => "debit_account_not_found",
            Outcome::CreditAccountNotFound => "credit_account_not_found",
            Outcome::AccountsMustHaveTheSameLedger => "accounts_must_have_the_same_ledger",
            Outcome::TransferMustHaveTheSameLedgerAsAccounts => {
                "transfer_must_have_the_same_ledger_as_accounts"
            }
            Outcome::PendingTransferNotFound => "pending_transfer_not_found",
            Outcome::PendingTransferNotPending => "pending_transfer_not_pending",
            Outcome::PendingTransferHasDifferentDebitAccountId => {
                "pending_transfer_has_different_debit_account_id"
            }
            Outcome::PendingTransferHasDifferentCreditAccountId => {
                "pending_transfer_has_different_credit_account_id"
            }
            Outcome::PendingTransferHasDifferentLedger => "pending_transfer_has_different_ledger",
            Outcome::PendingTransferHasDifferentCode => "pending_transfer_has_different_code",
            Outcome::ExceedsPendingTransferAmount => "exceeds_pending_transfer_amount",
            Outcome::PendingTransferHasDifferentAmount => "pending_transfer_has_different_amount",
            Outcome::PendingTransferAlreadyPosted => "pending_transfer_already_posted",
            Outcome::PendingTransferAlreadyVoided => "pending_transfer_already_voided",
            Outcome::PendingTransferExpired => "pending_transfer_expired",
            Outcome::ReferenceNotFound => "reference_not_found",
            Outcome::ReferenceNotRefundable => "reference_not_refundable",
            Outcome::RefundAccountsMismatch => "refund_accounts_mismatch",
            Outcome::ExceedsRefundableAmount => "exceeds_refundable_amount",
            Outcome::OverflowsDebitsPending => "overflows_debits_pending",
            Outcome::OverflowsCreditsPending => "overflows_credits_pending",
            Outcome::OverflowsDebitsPosted => "overflows_debits_posted",
            Outcome::OverflowsCreditsPosted => "overflows_credits_posted",
            Outcome::OverflowsDebits => "overflows_debits",
            Outcome::OverflowsCredits => "overflows_credits",
            Outcome::OverflowsTimeout => "overflows_timeout",
            Outcome::ExceedsCredits => "exceeds_credits",
            Outcome::ExceedsMaxBalance => "exceeds_max_balance",
            Outcome::ExceedsMonthlyIncomingLimit => "exceeds_monthly_incoming_limit",
        }
    }

    /// The stored code.
    #[must_use]
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The outcome for a stored code.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Outcome> {
        Outcome::ALL.get(usize::from(code)).copied()
    }

    /// Whether the event took effect now or before (a caller's success).
    #[must_use]
    pub fn is_success(self) -> bool {
        matches!(self, Outcome::Created | Outcome::Exists)
    }

    /// Whether the event's id was used before with other fields.
    #[must_use]
    pub fn is_exists_with_different(self) -> bool {
        self.as_str().starts_with("exists_with_different")
    }

    /// Whether the failure depended on the ledger's state (balances, missing accounts), so the id
    /// is remembered as failed and a retry gets [`Outcome::IdAlreadyFailed`]: a retry can never
    /// turn such a refusal into a success. Failures that depend only on the event itself are not
    /// remembered (a retry fails the same way), as in TigerBeetle.
    #[must_use]
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Outcome::DebitAccountNotFound
                | Outcome::CreditAccountNotFound
                | Outcome::PendingTransferNotFound
                | Outcome::ReferenceNotFound
                | Outcome::ExceedsCredits
                | Outcome::ExceedsMaxBalance
                | Outcome::ExceedsMonthlyIncomingLimit
                | Outcome::ExceedsRefundableAmount
                | Outcome::OverflowsDebitsPending
                | Outcome::OverflowsCreditsPending
                | Outcome::OverflowsDebitsPosted
                | Outcome::OverflowsCreditsPosted
                | Outcome::OverflowsDebits
                | Outcome::OverflowsCredits
        )
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_names_are_unique() {
        let mut names = std::collections::HashSet::new();
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
            assert!(names.insert(o.as_str()));
        }
        assert_eq!(
            Outcome::ExistsWithDifferentAmount.as_str(),
            "exists_with_different_amount"
        );
        assert_eq!(Outcome::IdAlreadyFailed.as_str(), "id_already_failed");
        assert_eq!(Outcome::LinkedEventFailed.as_str(), "linked_event_failed");
    }
}

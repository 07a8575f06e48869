//! Accounts and transfers for a mobile wallet.

//! The `qrpay` command.

fn main() {}

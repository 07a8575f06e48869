//! Running the `qrpay` binary from the integration tests.
// Each test binary uses part of this module.
#![allow(dead_code)]

use std::io::Write as _;
use std::process::{Child, Command, Output, Stdio};

/// Runs `qrpay ARGS` with `stdin` (or nothing) on standard input.
pub fn qrpay(args: &[&str], stdin: Option<&str>) -> Output {
    qrpay_bytes(args, stdin.unwrap_or_default().as_bytes())
}

/// Runs `qrpay` with `stdin` as raw bytes. A write error is ignored: a command may stop reading
/// before the end (and say why on stderr, which the caller checks).
pub fn qrpay_bytes(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = spawn(args);
    let mut pipe = child.stdin.take().unwrap();
    let _ = pipe.write_all(stdin);
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// Starts `qrpay ARGS` with its three standard streams piped.
pub fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_qrpay"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

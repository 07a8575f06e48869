//! A reader that goes away before `qrpay` writes (`qrpay decode --json - | head -c 0`) must not
//! make it panic: the output is dropped and the exit status is the command's own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;

const PIX: &str = "00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6";

/// Runs `qrpay ARGS` with `input` on standard input, its standard output closed by the reader
/// before the input is given, so every write meets a closed pipe; returns the exit status and
/// standard error.
fn with_closed_stdout(args: &[&str], input: &str) -> (Option<i32>, String) {
    let mut child = common::spawn(args);
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `qrpay decode --json` of the Pix payload.
fn decoded_json() -> String {
    common::stdout(&common::qrpay(&["decode", "--json", PIX], None))
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    for args in [&["decode", "--json", "-"][..], &["decode", "-"]] {
        let (code, stderr) = with_closed_stdout(args, PIX);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
    let (code, stderr) = with_closed_stdout(&["encode", "--json", "-"], &decoded_json());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    // A refusal still says so on standard error, with its own status.
    let (code, stderr) = with_closed_stdout(&["decode", "--json", "-"], "000201");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.starts_with("qrpay: "), "{stderr}");
}

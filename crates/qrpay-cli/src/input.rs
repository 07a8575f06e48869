//! Reading a payload or file argument, where `-` means standard input.
//!
//! Input over a limit is an error of kind [`std::io::ErrorKind::FileTooLarge`], and text that is
//! not UTF-8 one of kind [`std::io::ErrorKind::InvalidData`]: both say the input itself is
//! refused (exit status 1), where other kinds (a file that cannot be opened) are usage errors.

use std::io::Read as _;

/// The most standard input read for a payload: far more than any payment code (EMV allows 512
/// characters), so more means the wrong input was piped in.
const PAYLOAD_BYTES_MAX: u64 = 1 << 20;

/// The most read for a file argument (`encode --json FILE` or `-`).
const FILE_BYTES_MAX: u64 = 16 << 20;

/// All of `reader`, or an error of kind `FileTooLarge` naming `what` and the limit when it
/// holds more than `max` bytes (never a silently cut input).
fn read_limited(reader: impl std::io::Read, max: u64, what: &str) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("{what} holds more than {max} bytes"),
        ));
    }
    Ok(bytes)
}

/// `bytes` as UTF-8 text, or an error of kind `InvalidData` naming `what`.
fn text(bytes: Vec<u8>, what: &str) -> std::io::Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{what} is not UTF-8 text: {e}"),
        )
    })
}

/// Reads `arg` itself, or standard input when `arg` is `-`, as raw bytes (a payload need not
/// be UTF-8: an EPC code may declare an ISO 8859 character set), without the trailing line
/// break a shell or editor adds.
pub(crate) fn payload_bytes_arg(arg: &str) -> std::io::Result<Vec<u8>> {
    if arg != "-" {
        return Ok(arg.as_bytes().to_vec());
    }
    let mut bytes = read_limited(std::io::stdin(), PAYLOAD_BYTES_MAX, "standard input")?;
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    Ok(bytes)
}

/// Reads the file `arg`, or standard input when `arg` is `-`, as UTF-8 text of at most
/// [`FILE_BYTES_MAX`] bytes.
pub(crate) fn file_arg(arg: &str) -> std::io::Result<String> {
    if arg == "-" {
        let what = "standard input";
        return text(read_limited(std::io::stdin(), FILE_BYTES_MAX, what)?, what);
    }
    let file = std::fs::File::open(arg)?;
    text(read_limited(file, FILE_BYTES_MAX, "the file")?, "the file")
}

/// Whether a read error says the input itself is refused (too large, or not text) rather than
/// that it could not be read.
pub(crate) fn is_refusal(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::FileTooLarge | std::io::ErrorKind::InvalidData
    )
}

/// [`payload_bytes_arg`], or the exit status of the one-line error that says why it could not
/// be read: input over the limit is refused, failing to read at all is a usage error.
pub(crate) fn payload_or_exit(arg: &str) -> Result<Vec<u8>, std::process::ExitCode> {
    payload_bytes_arg(arg).map_err(|e| {
        let code = if is_refusal(&e) {
            crate::REFUSED
        } else {
            crate::USAGE
        };
        crate::fail(code, format_args!("cannot read standard input: {e}"))
    })
}

//! Reading a payload or file argument, where `-` means standard input.

use std::io::Read as _;

/// The most standard input read for a payload: far more than any payment code (EMV allows 512
/// characters), so more means the wrong input was piped in.
const PAYLOAD_BYTES_MAX: u64 = 1 << 20;

/// The most standard input read for a file argument (`encode --json -`).
const FILE_BYTES_MAX: u64 = 16 << 20;

/// All of standard input, or an error naming the limit when it holds more than `max` bytes
/// (never a silently cut input).
fn read_stdin(max: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::stdin().take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("standard input holds more than {max} bytes"),
        ));
    }
    Ok(bytes)
}

/// [`read_stdin`] as UTF-8 text.
fn read_stdin_text(max: u64) -> std::io::Result<String> {
    String::from_utf8(read_stdin(max)?).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("standard input is not UTF-8 text: {e}"),
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
    let mut bytes = read_stdin(PAYLOAD_BYTES_MAX)?;
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    Ok(bytes)
}

/// Reads the file `arg`, or standard input when `arg` is `-`.
pub(crate) fn file_arg(arg: &str) -> std::io::Result<String> {
    if arg == "-" {
        return read_stdin_text(FILE_BYTES_MAX);
    }
    std::fs::read_to_string(arg)
}

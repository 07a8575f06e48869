//! Reading a payload or file argument, where `-` means standard input.

use std::io::Read as _;

/// Reads `arg` itself, or standard input when `arg` is `-`, without the trailing line break a
/// shell or editor adds.
pub(crate) fn payload_arg(arg: &str) -> std::io::Result<String> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let mut text = String::new();
    std::io::stdin().take(1 << 20).read_to_string(&mut text)?;
    Ok(strip_line_break(text))
}

/// Like [`payload_arg`], but standard input as raw bytes: a payload need not be UTF-8 (an EPC
/// code may declare an ISO 8859 character set).
pub(crate) fn payload_bytes_arg(arg: &str) -> std::io::Result<Vec<u8>> {
    if arg != "-" {
        return Ok(arg.as_bytes().to_vec());
    }
    let mut bytes = Vec::new();
    std::io::stdin().take(1 << 20).read_to_end(&mut bytes)?;
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
        let mut text = String::new();
        std::io::stdin().take(16 << 20).read_to_string(&mut text)?;
        return Ok(text);
    }
    std::fs::read_to_string(arg)
}

fn strip_line_break(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

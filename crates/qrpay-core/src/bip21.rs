//! BIP21 `bitcoin:` payment URIs.
//!
//! `bitcoin:<address>[?amount=…&label=…&message=…]` (BIP21). The address is checked:
//! base58check (BIP13 P2PKH/P2SH, SHA-256d checksum via the `sha2` crate) or segwit
//! bech32/bech32m (BIP173, BIP350), on mainnet, testnet or regtest. The amount is decimal
//! BTC with at most eight decimals, held exactly in satoshi. Parameters prefixed `req-` are
//! required by definition; as none is understood here, any makes the URI invalid. Other
//! parameters are kept in order, percent-decoded (RFC 3986: `+` stays `+`).
//!
//! ```
//! let text = "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=20.3&label=Luke-Jr";
//! let uri = qrpay_core::bip21::parse(text)?;
//! assert_eq!(uri.amount().map(|a| a.minor_units()), Some(2_030_000_000));
//! assert_eq!(uri.label(), Some("Luke-Jr"));
//! assert_eq!(uri.to_string(), text);
//! # Ok::<(), qrpay_core::bip21::Bip21Error>(())
//! ```

use core::fmt;

use sha2::{Digest, Sha256};

use crate::decimal::{DecimalAmount, DecimalError};
use crate::percent;
use crate::query::{self, QueryError};

/// Longest URI (byte capacity of a version 40-L QR code). A decoded URI must re-encode
/// canonically within it; the raw input may be up to three times longer, since raw characters
/// the encoder escapes grow threefold.
pub const INPUT_LEN_MAX: usize = 2953;
/// Satoshi per bitcoin is 10^8.
pub const SATOSHI_EXPONENT: u8 = 8;
/// The supply cap, 21 million BTC, in satoshi.
pub const AMOUNT_SATOSHI_MAX: u64 = 2_100_000_000_000_000;

const SCHEME: &str = "bitcoin:";

/// A decoded, validated BIP21 URI.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Bip21 {
    address: BitcoinAddress,
    amount: Option<DecimalAmount>,
    label: Option<String>,
    message: Option<String>,
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::percent::serialize_pairs")
    )]
    other: Vec<(String, String)>,
    #[cfg_attr(feature = "serde", serde(skip))]
    key_order: Vec<String>,
}

/// A checked bitcoin address, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BitcoinAddress {
    text: String,
    network: Network,
    kind: AddressKind,
}

/// The network an address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Network {
    /// Bitcoin mainnet (`1…`, `3…`, `bc1…`).
    Mainnet,
    /// Testnet or signet (`m…`, `n…`, `2…`, `tb1…`).
    Testnet,
    /// Regtest (`bcrt1…`).
    Regtest,
}

/// The output type an address pays to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum AddressKind {
    /// Pay to public key hash (base58).
    P2pkh,
    /// Pay to script hash (base58).
    P2sh,
    /// Segwit version 0, 20-byte program.
    P2wpkh,
    /// Segwit version 0, 32-byte program.
    P2wsh,
    /// Segwit version 1, 32-byte program.
    P2tr,
    /// Another segwit version or program length.
    WitnessUnknown,
}

/// Why a BIP21 URI could not be decoded or built. Offsets are byte offsets in the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Bip21Error {
    /// The URI (or its canonical re-encoding) is longer than a QR code holds.
    #[error("uri is {len} bytes, at most {len_max} allowed")]
    TooLong {
        /// Bytes found.
        len: usize,
        /// Limit.
        len_max: usize,
    },
    /// The URI does not start with `bitcoin:` (any case).
    #[error("uri does not start with bitcoin:")]
    Scheme,
    /// The address is not a valid base58check or segwit address.
    #[error("invalid bitcoin address: {reason}")]
    Address {
        /// Why.
        reason: AddressError,
    },
    /// The query is malformed: a pair, a raw character, a repeated key or an escape.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A `req-` parameter, which this implementation does not understand.
    #[error("unsupported required parameter {key}")]
    UnknownRequired {
        /// The key.
        key: String,
    },
    /// The amount is malformed.
    #[error("bad amount")]
    Amount(#[source] DecimalError),
    /// The amount exceeds 21 million BTC.
    #[error("amount of {satoshi} satoshi above 21 million btc")]
    AmountRange {
        /// The amount in satoshi.
        satoshi: u64,
    },
}

/// Why an address is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// Empty, or a character outside the encoding's alphabet, or mixed case in bech32.
    #[error("bad character or case")]
    Character,
    /// Wrong length for the encoding.
    #[error("bad length")]
    Length,
    /// The base58check or bech32 checksum does not match.
    #[error("checksum mismatch")]
    Checksum,
    /// An unknown version byte or human-readable part.
    #[error("unknown network or version")]
    Version,
    /// A segwit program that breaks BIP141/BIP350 rules.
    #[error("bad witness program")]
    WitnessProgram,
}

/// Decodes a BIP21 URI.
///
/// # Errors
///
/// A [`Bip21Error`] naming the address, parameter or byte at fault.
pub fn parse(input: &str) -> Result<Bip21, Bip21Error> {
    if input.len() > INPUT_LEN_MAX * 3 {
        return Err(Bip21Error::TooLong {
            len: input.len(),
            len_max: INPUT_LEN_MAX,
        });
    }
    if !looks_like(input) {
        return Err(Bip21Error::Scheme);
    }
    let rest = input.get(SCHEME.len()..).unwrap_or_default();
    query::check_characters(rest, SCHEME.len(), &[' ', '#'])?;
    let (address, query) = match rest.split_once('?') {
        Some((address, query)) => (address, Some(query)),
        None => (rest, None),
    };
    let address =
        BitcoinAddress::parse(address).map_err(|reason| Bip21Error::Address { reason })?;
    let mut uri = Bip21 {
        address,
        amount: None,
        label: None,
        message: None,
        other: Vec::new(),
        key_order: Vec::new(),
    };
    if let Some(query) = query {
        let base = SCHEME.len() + rest.len() - query.len();
        for pair in query::uri_pairs(query, base)? {
            query::check_new_key(
                uri.key_order.iter().map(String::as_str),
                pair.key,
                pair.offset,
            )?;
            let value = query::decode_value(pair.key, pair.value, pair.offset)?;
            uri.set(pair.key, value)?;
        }
    }
    let len = uri.to_string().len();
    if len > INPUT_LEN_MAX {
        return Err(Bip21Error::TooLong {
            len,
            len_max: INPUT_LEN_MAX,
        });
    }
    Ok(uri)
}

/// Cheap detection: the text starts with `bitcoin:` in any case.
#[must_use]
pub fn looks_like(input: &str) -> bool {
    input
        .get(..SCHEME.len())
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case(SCHEME))
}

impl Bip21 {
    /// Starts a builder for a payment to `address`.
    #[must_use]
    pub fn builder(address: BitcoinAddress) -> Bip21Builder {
        Bip21Builder {
            uri: Self {
                address,
                amount: None,
                label: None,
                message: None,
                other: Vec::new(),
                key_order: Vec::new(),
            },
            error: None,
        }
    }

    /// The address.
    #[must_use]
    pub fn address(&self) -> &BitcoinAddress {
        &self.address
    }

    /// `amount`: the amount in BTC (exponent 8: satoshi).
    #[must_use]
    pub fn amount(&self) -> Option<&DecimalAmount> {
        self.amount.as_ref()
    }

    /// `label`: the payee's label.
    #[must_use]
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// `message`: a message for the payer.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Other (optional) parameters, decoded, in URI order (`lightning`, `pj`, ...).
    #[must_use]
    pub fn other(&self) -> &[(String, String)] {
        &self.other
    }

    /// The URI text (same as `to_string()`).
    #[must_use]
    pub fn encode(&self) -> String {
        self.to_string()
    }

    fn set(&mut self, key: &str, value: String) -> Result<(), Bip21Error> {
        match key {
            "amount" => self.amount = Some(parse_amount(&value)?),
            "label" => self.label = Some(value),
            "message" => self.message = Some(value),
            _ if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("req-")) => {
                return Err(Bip21Error::UnknownRequired {
                    key: key.to_owned(),
                })
            }
            _ => self.other.push((key.to_owned(), value)),
        }
        self.key_order.push(key.to_owned());
        Ok(())
    }

    fn value_of(&self, key: &str) -> Option<String> {
        match key {
            "amount" => self.amount.map(|a| a.to_string()),
            "label" => self.label.clone(),
            "message" => self.message.clone(),
            _ => self
                .other
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone()),
        }
    }
}

impl fmt::Display for Bip21 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SCHEME}{}", self.address)?;
        let mut separator = '?';
        for key in &self.key_order {
            if let Some(value) = self.value_of(key) {
                write!(
                    f,
                    "{separator}{key}={}",
                    percent::encode_query_value(&value)
                )?;
                separator = '&';
            }
        }
        Ok(())
    }
}

/// Collects the parameters of a BIP21 URI and validates them in [`Bip21Builder::build`].
#[derive(Debug, Clone)]
pub struct Bip21Builder {
    uri: Bip21,
    error: Option<Bip21Error>,
}

impl Bip21Builder {
    /// Sets the amount (exponent 8: satoshi).
    #[must_use]
    pub fn amount(mut self, amount: DecimalAmount) -> Self {
        if amount.exponent() != SATOSHI_EXPONENT {
            self.error
                .get_or_insert(Bip21Error::Amount(DecimalError::Inexact {
                    minor_units: amount.minor_units(),
                    exponent: amount.exponent(),
                    fraction_digits: amount.fraction_digits(),
                }));
            return self;
        }
        self.param_value("amount", amount.to_string())
    }

    /// Sets the label.
    #[must_use]
    pub fn label(self, label: impl Into<String>) -> Self {
        self.param_value("label", label.into())
    }

    /// Sets the message.
    #[must_use]
    pub fn message(self, message: impl Into<String>) -> Self {
        self.param_value("message", message.into())
    }

    /// Sets another parameter (a `req-` key is refused at build time).
    #[must_use]
    pub fn param(self, key: &str, value: impl Into<String>) -> Self {
        self.param_value(key, value.into())
    }

    fn param_value(mut self, key: &str, value: String) -> Self {
        if let Err(error) =
            query::check_new_key(self.uri.key_order.iter().map(String::as_str), key, 0)
        {
            self.error.get_or_insert(error.into());
        } else if let Err(error) = self.uri.set(key, value) {
            self.error.get_or_insert(error);
        }
        self
    }

    /// Validates and returns the URI by encoding and decoding it, so a built value is exactly
    /// what [`parse`] returns for its text.
    ///
    /// # Errors
    ///
    /// A [`Bip21Error`] for the first parameter that breaks its rule.
    pub fn build(self) -> Result<Bip21, Bip21Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        parse(&self.uri.to_string())
    }
}

impl BitcoinAddress {
    /// Parses and checks a base58check or segwit address.
    ///
    /// # Errors
    ///
    /// An [`AddressError`] for a bad alphabet, length, checksum, version or program.
    pub fn parse(text: &str) -> Result<Self, AddressError> {
        let lower = text.to_ascii_lowercase();
        let segwit = ["bc1", "tb1", "bcrt1"]
            .iter()
            .any(|prefix| lower.starts_with(prefix));
        let (network, kind) = if segwit {
            parse_segwit(text)?
        } else {
            parse_base58(text)?
        };
        Ok(Self {
            text: text.to_owned(),
            network,
            kind,
        })
    }

    /// The address as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The network.
    #[must_use]
    pub fn network(&self) -> Network {
        self.network
    }

    /// The output type.
    #[must_use]
    pub fn kind(&self) -> AddressKind {
        self.kind
    }
}

impl fmt::Display for BitcoinAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// BIP21 writes `*digit [ "." *digit ]`; `.5`, `5.` and leading zeros are read as the same
/// number and re-encoded canonically.
fn parse_amount(text: &str) -> Result<DecimalAmount, Bip21Error> {
    if text.is_empty() {
        return Err(Bip21Error::Amount(DecimalError::Empty));
    }
    let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
    let integer = integer.trim_start_matches('0');
    let integer = if integer.is_empty() { "0" } else { integer };
    let canonical = if text.contains('.') && !fraction.is_empty() {
        format!("{integer}.{fraction}")
    } else if text.contains('.') && text.len() == 1 {
        String::new()
    } else {
        integer.to_owned()
    };
    let amount = DecimalAmount::parse(&canonical, SATOSHI_EXPONENT).map_err(Bip21Error::Amount)?;
    if amount.minor_units() > AMOUNT_SATOSHI_MAX {
        return Err(Bip21Error::AmountRange {
            satoshi: amount.minor_units(),
        });
    }
    Ok(amount)
}

const BASE58_ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn parse_base58(text: &str) -> Result<(Network, AddressKind), AddressError> {
    if !(26..=35).contains(&text.len()) {
        return Err(AddressError::Length);
    }
    // Big-endian base-58 to base-256 conversion; 35 characters fit in 26 bytes.
    let mut bytes: Vec<u8> = Vec::with_capacity(26);
    for c in text.bytes() {
        let digit = BASE58_ALPHABET
            .iter()
            .position(|a| *a == c)
            .ok_or(AddressError::Character)?;
        let mut carry = u32::try_from(digit).map_err(|_| AddressError::Character)?;
        for byte in bytes.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = low_byte(carry);
            carry >>= 8;
        }
        while carry > 0 {
            bytes.insert(0, low_byte(carry));
            carry >>= 8;
        }
    }
    let zeros = text.bytes().take_while(|c| *c == b'1').count();
    let mut decoded = vec![0u8; zeros];
    decoded.extend(bytes);
    let (payload, checksum) = decoded
        .split_at_checked(21)
        .filter(|(_, checksum)| checksum.len() == 4)
        .ok_or(AddressError::Length)?;
    let digest = Sha256::digest(Sha256::digest(payload));
    if digest.get(..4) != Some(checksum) {
        return Err(AddressError::Checksum);
    }
    match payload.first() {
        Some(0x00) => Ok((Network::Mainnet, AddressKind::P2pkh)),
        Some(0x05) => Ok((Network::Mainnet, AddressKind::P2sh)),
        Some(0x6F) => Ok((Network::Testnet, AddressKind::P2pkh)),
        Some(0xC4) => Ok((Network::Testnet, AddressKind::P2sh)),
        _ => Err(AddressError::Version),
    }
}

fn low_byte(value: u32) -> u8 {
    value.to_le_bytes().first().copied().unwrap_or_default()
}

const BECH32_CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_CONST: u32 = 1;
const BECH32M_CONST: u32 = 0x2BC8_30A3;

fn polymod(values: impl Iterator<Item = u8>) -> u32 {
    const GENERATOR: [u32; 5] = [
        0x3B6A_57B2,
        0x2650_8E6D,
        0x1EA1_19FA,
        0x3D42_33DD,
        0x2A14_62B3,
    ];
    let mut checksum: u32 = 1;
    for value in values {
        let top = checksum >> 25;
        checksum = ((checksum & 0x01FF_FFFF) << 5) ^ u32::from(value);
        for (bit, generator) in GENERATOR.iter().enumerate() {
            if (top >> bit) & 1 == 1 {
                checksum ^= generator;
            }
        }
    }
    checksum
}

fn parse_segwit(text: &str) -> Result<(Network, AddressKind), AddressError> {
    // BIP173: at most 90 characters, one case throughout.
    if text.len() > 90 {
        return Err(AddressError::Length);
    }
    let has_lower = text.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = text.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper {
        return Err(AddressError::Character);
    }
    let lower = text.to_ascii_lowercase();
    let (hrp, data) = lower.rsplit_once('1').ok_or(AddressError::Character)?;
    let network = match hrp {
        "bc" => Network::Mainnet,
        "tb" => Network::Testnet,
        "bcrt" => Network::Regtest,
        _ => return Err(AddressError::Version),
    };
    let values: Vec<u8> = data
        .bytes()
        .map(|c| {
            BECH32_CHARSET
                .iter()
                .position(|a| *a == c)
                .and_then(|p| u8::try_from(p).ok())
                .ok_or(AddressError::Character)
        })
        .collect::<Result<_, _>>()?;
    if values.len() < 7 {
        return Err(AddressError::Length);
    }
    let expanded = hrp
        .bytes()
        .map(|b| b >> 5)
        .chain([0])
        .chain(hrp.bytes().map(|b| b & 31))
        .chain(values.iter().copied());
    let constant = polymod(expanded);
    let (witness, _checksum) = values
        .split_at_checked(values.len() - 6)
        .ok_or(AddressError::Length)?;
    let (&version, program5) = witness.split_first().ok_or(AddressError::Length)?;
    let expected = if version == 0 {
        BECH32_CONST
    } else {
        BECH32M_CONST
    };
    if constant != expected {
        return Err(AddressError::Checksum);
    }
    if version > 16 {
        return Err(AddressError::WitnessProgram);
    }
    let program = regroup_5_to_8(program5).ok_or(AddressError::WitnessProgram)?;
    let kind = match (version, program.len()) {
        (_, len) if !(2..=40).contains(&len) => return Err(AddressError::WitnessProgram),
        (0, 20) => AddressKind::P2wpkh,
        (0, 32) => AddressKind::P2wsh,
        (0, _) => return Err(AddressError::WitnessProgram),
        (1, 32) => AddressKind::P2tr,
        _ => AddressKind::WitnessUnknown,
    };
    Ok((network, kind))
}

/// Regroups 5-bit values into bytes; `None` if more than 4 padding bits or non-zero padding.
fn regroup_5_to_8(values: &[u8]) -> Option<Vec<u8>> {
    let mut accumulator: u32 = 0;
    let mut bits = 0u32;
    let mut out = Vec::with_capacity(values.len() * 5 / 8);
    for value in values {
        accumulator = (accumulator << 5) | u32::from(*value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(low_byte(accumulator >> bits));
        }
    }
    if bits > 4 || (accumulator & ((1 << bits) - 1)) != 0 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// BIP21 "Examples" section. Its example address fails the base58check checksum (it is a
    /// placeholder), so the examples are also run with the genesis-block address in its place.
    const BIP21_ADDRESS: &str = "175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W";
    const GENESIS_ADDRESS: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
    const BIP21_EXAMPLES: &[&str] = &[
        "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W",
        "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?label=Luke-Jr",
        "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=20.3&label=Luke-Jr",
        "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=50&label=Luke-Jr&message=Donation%20for%20project%20xyz",
        "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?somethingyoudontunderstand=50&somethingelseyoudontget=999",
    ];
    const BIP21_INVALID: &str = "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?req-somethingyoudontunderstand=50&req-somethingelseyoudontget=999";

    #[test]
    fn bip21_examples() {
        for example in BIP21_EXAMPLES {
            assert_eq!(
                parse(example).unwrap_err(),
                Bip21Error::Address {
                    reason: AddressError::Checksum
                }
            );
            let text = example.replace(BIP21_ADDRESS, GENESIS_ADDRESS);
            let uri = parse(&text).unwrap();
            assert_eq!(uri.address().as_str(), GENESIS_ADDRESS);
            assert_eq!(uri.address().kind(), AddressKind::P2pkh);
            assert_eq!(uri.to_string(), text);
        }
        let example = |i: usize| BIP21_EXAMPLES[i].replace(BIP21_ADDRESS, GENESIS_ADDRESS);
        let uri = parse(&example(2)).unwrap();
        assert_eq!(uri.amount().unwrap().minor_units(), 2_030_000_000);
        let uri = parse(&example(3)).unwrap();
        assert_eq!(uri.amount().unwrap().minor_units(), 5_000_000_000);
        assert_eq!(uri.label(), Some("Luke-Jr"));
        assert_eq!(uri.message(), Some("Donation for project xyz"));
        let uri = parse(&example(4)).unwrap();
        assert_eq!(
            uri.other()[0],
            ("somethingyoudontunderstand".into(), "50".into())
        );
        assert_eq!(
            parse(&BIP21_INVALID.replace(BIP21_ADDRESS, GENESIS_ADDRESS)).unwrap_err(),
            Bip21Error::UnknownRequired {
                key: "req-somethingyoudontunderstand".into()
            }
        );

        let built = Bip21::builder(BitcoinAddress::parse(GENESIS_ADDRESS).unwrap())
            .amount(DecimalAmount::new(5_000_000_000, 8, 0).unwrap())
            .label("Luke-Jr")
            .message("Donation for project xyz")
            .build()
            .unwrap();
        assert_eq!(built.to_string(), example(3));
        assert_eq!(built, parse(&example(3)).unwrap());
    }

    #[test]
    fn address_vectors() {
        // Base58 examples (BIP13 / genesis) and BIP173 / BIP350 valid segwit addresses.
        let table: &[(&str, Network, AddressKind)] = &[
            (
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
                Network::Mainnet,
                AddressKind::P2pkh,
            ),
            (
                "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
                Network::Mainnet,
                AddressKind::P2sh,
            ),
            (
                "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
                Network::Mainnet,
                AddressKind::P2wpkh,
            ),
            (
                "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
                Network::Testnet,
                AddressKind::P2wsh,
            ),
            (
                "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
                Network::Mainnet,
                AddressKind::P2tr,
            ),
            (
                "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
                Network::Testnet,
                AddressKind::P2tr,
            ),
            (
                "BC1SW50QGDZ25J",
                Network::Mainnet,
                AddressKind::WitnessUnknown,
            ),
        ];
        for (text, network, kind) in table {
            let address = BitcoinAddress::parse(text).unwrap();
            assert_eq!(
                (address.network(), address.kind()),
                (*network, *kind),
                "{text}"
            );
        }
        // BIP173 / BIP350 invalid addresses and corrupted base58.
        let invalid: &[(&str, AddressError)] = &[
            (
                "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
                AddressError::Checksum,
            ),
            (
                "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
                AddressError::Checksum,
            ),
            (
                "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",
                AddressError::Length,
            ),
            (
                "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                AddressError::Checksum,
            ),
            (
                "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                AddressError::Character,
            ),
            ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", AddressError::Checksum),
            (
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a",
                AddressError::Character,
            ),
            ("1A1zP1eP5QGefi", AddressError::Length),
            ("", AddressError::Length),
        ];
        for (text, expected) in invalid {
            assert_eq!(
                BitcoinAddress::parse(text).unwrap_err(),
                *expected,
                "{text}"
            );
        }
    }

    #[test]
    fn every_single_character_change_of_an_address_is_rejected() {
        let cases: [(&str, &[u8]); 2] = [
            ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", BASE58_ALPHABET),
            (
                "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
                BECH32_CHARSET,
            ),
        ];
        for (address, alphabet) in cases {
            // Base58 from the first character, bech32 after the `bc1` separator.
            let first = if address.starts_with("bc1") { 3 } else { 0 };
            for position in first..address.len() {
                for &c in alphabet {
                    let mut bytes = address.as_bytes().to_vec();
                    if bytes[position] == c {
                        continue;
                    }
                    bytes[position] = c;
                    let changed = String::from_utf8(bytes).unwrap();
                    assert!(BitcoinAddress::parse(&changed).is_err(), "{changed}");
                }
            }
        }
    }

    #[test]
    fn variants_and_rejections() {
        let uri =
            parse("BITCOIN:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4?amount=.5&lightning=lnbc1+x")
                .unwrap();
        assert_eq!(uri.amount().unwrap().minor_units(), 50_000_000);
        assert_eq!(uri.other()[0].1, "lnbc1+x");
        assert_eq!(
            parse("bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=007.10")
                .unwrap()
                .amount()
                .unwrap()
                .minor_units(),
            710_000_000
        );

        let address = "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
        let table: Vec<(String, Bip21Error)> = vec![
            (
                "litecoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".into(),
                Bip21Error::Scheme,
            ),
            (
                "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb".into(),
                Bip21Error::Address {
                    reason: AddressError::Checksum,
                },
            ),
            (
                format!("{address}?amount=1.123456789"),
                Bip21Error::Amount(DecimalError::TooManyFractionDigits {
                    digits: 9,
                    digits_max: 8,
                }),
            ),
            (
                format!("{address}?amount=1,5"),
                Bip21Error::Amount(DecimalError::InvalidCharacter { offset: 1 }),
            ),
            (
                format!("{address}?amount=."),
                Bip21Error::Amount(DecimalError::Empty),
            ),
            (
                format!("{address}?amount="),
                Bip21Error::Amount(DecimalError::Empty),
            ),
            (
                format!("{address}?amount=21000000.00000001"),
                Bip21Error::AmountRange {
                    satoshi: 2_100_000_000_000_001,
                },
            ),
            (
                format!("{address}?label=a&label=b"),
                Bip21Error::Query(QueryError::DuplicateKey {
                    key: "label".into(),
                    offset: 51,
                }),
            ),
            (
                format!("{address}?label=50%"),
                Bip21Error::Query(QueryError::Escape {
                    key: "label".into(),
                    offset: 51,
                }),
            ),
            (
                format!("{address}?label=a b"),
                Bip21Error::Query(QueryError::Character { offset: 50 }),
            ),
            (
                format!("{address}?&label=a"),
                Bip21Error::Query(QueryError::Pair { offset: 43 }),
            ),
            (
                format!("{address}?REQ-pop=x"),
                Bip21Error::UnknownRequired {
                    key: "REQ-pop".into(),
                },
            ),
        ];
        for (text, expected) in table {
            assert_eq!(parse(&text).unwrap_err(), expected, "{text}");
        }
    }

    #[test]
    fn canonical_form_must_fit_a_qr_code() {
        // 1000 raw non-ASCII characters (2 bytes each) re-encode as 6000 bytes of escapes.
        let text = format!(
            "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?label={}",
            "é".repeat(1000)
        );
        assert!(text.len() <= INPUT_LEN_MAX);
        assert_eq!(
            parse(&text).unwrap_err(),
            Bip21Error::TooLong {
                len: 6049,
                len_max: INPUT_LEN_MAX
            }
        );
    }

    #[test]
    fn detection() {
        assert!(looks_like(BIP21_EXAMPLES[0]));
        assert!(looks_like(
            "BITCOIN:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"
        ));
        assert!(!looks_like("upi://pay?pa=x@y"));
    }

    fn arb_uri() -> impl Strategy<Value = Bip21> {
        let addresses = prop_oneof![
            Just(GENESIS_ADDRESS),
            Just("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
            Just("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
        ];
        (
            addresses,
            prop::option::of((0u64..=AMOUNT_SATOSHI_MAX, 0u8..=8)),
            prop::option::of("\\PC{0,30}"),
            prop::option::of("\\PC{0,60}"),
            prop::option::of(("[a-z]{2,10}", "\\PC{0,20}")),
        )
            .prop_map(|(address, amount, label, message, other)| {
                let mut builder = Bip21::builder(BitcoinAddress::parse(address).unwrap());
                if let Some((satoshi, digits)) = amount {
                    let unit = 10u64.pow(u32::from(8 - digits));
                    let amount = DecimalAmount::new(satoshi - satoshi % unit, 8, digits).unwrap();
                    builder = builder.amount(amount);
                }
                if let Some(label) = label {
                    builder = builder.label(label);
                }
                if let Some(message) = message {
                    builder = builder.message(message);
                }
                if let Some((key, value)) = other {
                    if !matches!(key.as_str(), "amount" | "label" | "message") {
                        builder = builder.param(&key, value);
                    }
                }
                builder.build().unwrap()
            })
    }

    proptest! {
        #[test]
        fn parse_of_build_is_identity(uri in arb_uri()) {
            let text = uri.to_string();
            prop_assert_eq!(parse(&text).unwrap(), uri);
        }

        #[test]
        fn never_panics(text in "bitcoin:\\PC{0,120}") {
            let _ = parse(&text);
        }

        #[test]
        fn address_parse_never_panics(text in "(bc1|tb1|1|3)?[0-9a-zA-Z]{0,90}") {
            let _ = BitcoinAddress::parse(&text);
        }
    }
}

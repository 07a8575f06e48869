//! Types shared by rendering and scanning: the QR error-correction level.

/// Error-correction level of a QR symbol (ISO/IEC 18004:2015, 5.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum EccLevel {
    /// About 7 % of codewords can be restored.
    L,
    /// About 15 % of codewords can be restored; the default.
    #[default]
    M,
    /// About 25 % of codewords can be restored.
    Q,
    /// About 30 % of codewords can be restored.
    H,
}

impl EccLevel {
    /// All levels, from the least to the most redundant.
    pub const ALL: [EccLevel; 4] = [EccLevel::L, EccLevel::M, EccLevel::Q, EccLevel::H];

    /// The two error-correction bits of the format information (ISO/IEC 18004:2015, table 12).
    #[must_use]
    pub fn format_bits(self) -> u16 {
        match self {
            EccLevel::L => 0b01,
            EccLevel::M => 0b00,
            EccLevel::Q => 0b11,
            EccLevel::H => 0b10,
        }
    }

    /// The level whose format-information bits are `bits` (only the low two bits count).
    #[must_use]
    pub fn from_format_bits(bits: u16) -> Self {
        match bits & 0b11 {
            0b01 => EccLevel::L,
            0b00 => EccLevel::M,
            0b11 => EccLevel::Q,
            _ => EccLevel::H,
        }
    }

    /// The level's letter, as printed in the specification.
    #[must_use]
    pub fn as_char(self) -> char {
        match self {
            EccLevel::L => 'L',
            EccLevel::M => 'M',
            EccLevel::Q => 'Q',
            EccLevel::H => 'H',
        }
    }
}

impl std::fmt::Display for EccLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

impl std::str::FromStr for EccLevel {
    type Err = UnknownEccLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "L" | "l" => Ok(EccLevel::L),
            "M" | "m" => Ok(EccLevel::M),
            "Q" | "q" => Ok(EccLevel::Q),
            "H" | "h" => Ok(EccLevel::H),
            _ => Err(UnknownEccLevel),
        }
    }
}

/// The text named no error-correction level (expected one of `L`, `M`, `Q`, `H`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown ecc level: expected one of L, M, Q, H")]
pub struct UnknownEccLevel;

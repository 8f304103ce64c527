//! `CommuneCode`: the INSEE code of a commune or arrondissement, kept as a string.

use std::fmt;

/// An INSEE commune (or municipal arrondissement) code such as `01001`, `2A004` or `97101`.
///
/// Always five characters: a two-character département (`01`–`95`, `2A`, `2B`) and a
/// three-digit number, or `97x`/`98x` followed by two digits overseas. Leading zeros are
/// part of the code, so it is never stored as a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommuneCode(String);

/// What a valid INSEE code looks like, for error messages.
pub const CODE_EXPECTED: &str = "a 5-character INSEE code such as 01001, 2A004 or 97101 (leading zeros kept)";

impl CommuneCode {
    /// Parses and validates a code.
    ///
    /// # Errors
    /// Returns the expectation text when `s` is not a well-formed INSEE code
    /// (wrong length, lost leading zero, `20xxx` instead of `2A`/`2B`, non-digits).
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let b = s.as_bytes();
        if b.len() != 5 || !b.iter().all(u8::is_ascii_alphanumeric) {
            return Err(CODE_EXPECTED);
        }
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let corsica = b[0] == b'2' && (b[1] == b'A' || b[1] == b'B');
        let ok = if corsica {
            digits(2..5)
        } else {
            // Corsica was split into 2A/2B in 1976: a 20xxx code is a stale or mistyped one.
            digits(0..5) && &s[0..2] != "00" && &s[0..2] != "20"
        };
        if ok { Ok(Self(s.to_owned())) } else { Err(CODE_EXPECTED) }
    }

    /// The code as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The département part: three characters overseas (`971`…`989`), two otherwise.
    #[must_use]
    pub fn departement(&self) -> &str {
        if self.0.starts_with("97") || self.0.starts_with("98") { &self.0[..3] } else { &self.0[..2] }
    }
}

impl fmt::Display for CommuneCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_mainland_corsica_and_overseas_codes() {
        for c in ["01001", "2A004", "2B033", "75101", "97101", "97611", "98735"] {
            assert_eq!(CommuneCode::parse(c).unwrap().as_str(), c);
        }
        assert_eq!(CommuneCode::parse("97411").unwrap().departement(), "974");
        assert_eq!(CommuneCode::parse("2A004").unwrap().departement(), "2A");
    }

    #[test]
    fn rejects_lost_zeros_and_stale_corsica_codes() {
        for c in ["1001", "001001", "20004", "2C004", "2A0X4", "", "0100 ", "00123", "1001.0"] {
            assert!(CommuneCode::parse(c).is_err(), "{c} should be rejected");
        }
    }
}

use std::fmt;
use std::str::FromStr;

/// A digest that is not a usable `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid sha256 digest `{given}`: {reason}")]
pub struct InvalidHash {
    pub given: String,
    pub reason: &'static str,
}

/// A sha256 file digest: 64 hex digits, kept in lower case.
///
/// Parsed from the bare hex form (PEP 691 `hashes`, pylock.toml) or from `sha256:<hex>`
/// (requirements `--hash`); `Display` writes `sha256:<hex>`, [`Sha256::hex`] the digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256(String);

impl Sha256 {
    /// From the 64 hex digits alone.
    pub fn from_hex(hex: &str) -> Result<Sha256, InvalidHash> {
        let invalid = |reason| InvalidHash {
            given: hex.to_owned(),
            reason,
        };
        if hex.len() != 64 {
            return Err(invalid("it must have 64 hex digits"));
        }
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid("it must hold only hex digits"));
        }
        Ok(Sha256(hex.to_ascii_lowercase()))
    }

    /// The 64 lower-case hex digits.
    pub fn hex(&self) -> &str {
        &self.0
    }
}

impl FromStr for Sha256 {
    type Err = InvalidHash;
    /// `sha256:<hex>` or `<hex>`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.split_once(':') {
            Some((algorithm, hex)) if algorithm.eq_ignore_ascii_case("sha256") => {
                Sha256::from_hex(hex)
            }
            Some(_) => Err(InvalidHash {
                given: text.to_owned(),
                reason: "only sha256 digests are supported",
            }),
            None => Sha256::from_hex(text),
        }
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.0)
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824";

    #[test]
    fn parses_both_forms_and_lowercases() {
        let bare: Sha256 = HEX.parse().unwrap();
        let prefixed: Sha256 = format!("sha256:{HEX}").parse().unwrap();
        assert_eq!(bare, prefixed);
        assert_eq!(bare.hex(), HEX.to_ascii_lowercase());
        assert_eq!(
            bare.to_string(),
            format!("sha256:{}", HEX.to_ascii_lowercase())
        );
    }

    #[test]
    fn rejects_other_algorithms_and_bad_digits() {
        assert!(format!("md5:{HEX}").parse::<Sha256>().is_err());
        assert!("sha256:abc".parse::<Sha256>().is_err());
        assert!(Sha256::from_hex(&"g".repeat(64)).is_err());
    }
}

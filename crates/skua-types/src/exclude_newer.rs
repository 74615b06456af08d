use std::fmt;
use std::str::FromStr;

/// An `exclude-newer` value that is neither a timestamp nor a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{given}` is neither an RFC 3339 timestamp nor a YYYY-MM-DD date")]
pub struct InvalidExcludeNewer {
    pub given: String,
}

/// Only files uploaded strictly before this instant are considered (uv's `--exclude-newer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExcludeNewer(pub jiff::Timestamp);

impl FromStr for ExcludeNewer {
    type Err = InvalidExcludeNewer;
    /// An RFC 3339 timestamp, or a date `YYYY-MM-DD`, meaning the start of that day in UTC.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidExcludeNewer {
            given: text.to_owned(),
        };
        let trimmed = text.trim();
        if let Ok(timestamp) = jiff::Timestamp::from_str(trimmed) {
            return Ok(ExcludeNewer(timestamp));
        }
        let date = jiff::civil::Date::from_str(trimmed).map_err(|_| invalid())?;
        jiff::Timestamp::from_str(&format!("{date}T00:00:00Z"))
            .map(ExcludeNewer)
            .map_err(|_| invalid())
    }
}

impl fmt::Display for ExcludeNewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_mean_midnight_utc() {
        let date: ExcludeNewer = "2026-11-01".parse().unwrap();
        let stamp: ExcludeNewer = "2026-11-01T00:00:00Z".parse().unwrap();
        assert_eq!(date, stamp);
        assert_eq!(date.to_string(), "2026-11-01T00:00:00Z");
        assert!("yesterday".parse::<ExcludeNewer>().is_err());
    }
}

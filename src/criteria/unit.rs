//! Units, parsed once: the one table of time units that durations (`for 5m`, `interval`),
//! criteria (`< 30s`) and CloudWatch conversions share, and the typed unit a source reports in.

use serde::Serialize;

/// A unit of time. `5min` and `5m`, `1d` and `24h` mean the same wherever a runbook writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TimeUnit {
    Days,
    Hours,
    Minutes,
    Seconds,
    Millis,
}

/// Every spelling of a time unit a runbook may use. The only such table in Flightdeck.
const TIME_UNITS: &[(&str, TimeUnit)] = &[
    ("ms", TimeUnit::Millis),
    ("s", TimeUnit::Seconds),
    ("m", TimeUnit::Minutes),
    ("min", TimeUnit::Minutes),
    ("h", TimeUnit::Hours),
    ("d", TimeUnit::Days),
];

/// For messages: the time units a runbook may write.
pub const TIME_UNIT_NAMES: &str = "ms, s, m (or min), h, d";

impl TimeUnit {
    pub fn parse(text: &str) -> Option<TimeUnit> {
        TIME_UNITS
            .iter()
            .find(|(spelling, _)| *spelling == text)
            .map(|(_, unit)| *unit)
    }

    /// The short spelling shown on screens: `ms`, `s`, `m`, `h`, `d`.
    pub fn symbol(self) -> &'static str {
        match self {
            TimeUnit::Millis => "ms",
            TimeUnit::Seconds => "s",
            TimeUnit::Minutes => "m",
            TimeUnit::Hours => "h",
            TimeUnit::Days => "d",
        }
    }

    pub fn millis(self) -> u64 {
        match self {
            TimeUnit::Millis => 1,
            TimeUnit::Seconds => 1_000,
            TimeUnit::Minutes => 60_000,
            TimeUnit::Hours => 3_600_000,
            TimeUnit::Days => 86_400_000,
        }
    }

    pub fn seconds(self) -> f64 {
        self.millis() as f64 / 1000.0
    }
}

/// The unit a source reports its values in, parsed once at validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SourceUnit {
    /// A plain number: a count, a ratio, rows.
    Count,
    Time(TimeUnit),
    Percent,
    Dollars,
    /// Anything else (`rps`, `GB`): shown after the value, never converted.
    Label(String),
}

impl SourceUnit {
    /// `unit = "…"` as written; an empty text is no unit.
    pub fn parse(text: &str) -> SourceUnit {
        match text.trim() {
            "" => SourceUnit::Count,
            "%" => SourceUnit::Percent,
            "$" => SourceUnit::Dollars,
            t => TimeUnit::parse(t)
                .map_or_else(|| SourceUnit::Label(t.to_string()), SourceUnit::Time),
        }
    }

    /// The text shown after a value (`s`, `%`, `$`, `rps`); none for a count.
    pub fn text(&self) -> Option<&str> {
        match self {
            SourceUnit::Count => None,
            SourceUnit::Time(t) => Some(t.symbol()),
            SourceUnit::Percent => Some("%"),
            SourceUnit::Dollars => Some("$"),
            SourceUnit::Label(l) => Some(l),
        }
    }

    pub fn time(&self) -> Option<TimeUnit> {
        match self {
            SourceUnit::Time(t) => Some(*t),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_maps_to_its_unit() {
        assert_eq!(TimeUnit::parse("min"), TimeUnit::parse("m"));
        assert_eq!(TimeUnit::parse("d").map(TimeUnit::millis), Some(86_400_000));
        assert_eq!(TimeUnit::parse("5m"), None);
        assert_eq!(TimeUnit::Minutes.seconds(), 60.0);
        assert_eq!(TimeUnit::Millis.seconds(), 0.001);
    }

    #[test]
    fn source_units_are_typed_and_shown_as_written() {
        assert_eq!(SourceUnit::parse("s"), SourceUnit::Time(TimeUnit::Seconds));
        assert_eq!(SourceUnit::parse("min").text(), Some("m"));
        assert_eq!(SourceUnit::parse("%"), SourceUnit::Percent);
        assert_eq!(SourceUnit::parse("$"), SourceUnit::Dollars);
        assert_eq!(SourceUnit::parse(""), SourceUnit::Count);
        assert_eq!(SourceUnit::parse("rps"), SourceUnit::Label("rps".into()));
        assert_eq!(SourceUnit::parse("rps").text(), Some("rps"));
        assert_eq!(SourceUnit::Count.text(), None);
    }
}

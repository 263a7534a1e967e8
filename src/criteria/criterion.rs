//! The criterion language: `SOURCE OP VALUE[UNIT] [for DURATION]` or `SOURCE is up|down`.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::duration::{format_duration, parse_duration};
use super::unit::{TIME_UNIT_NAMES, TimeUnit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }
}

/// The unit of a criterion's value; time units come from the table durations use too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    Time(TimeUnit),
    Percent,
    Dollars,
}

impl Unit {
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Time(t) => t.symbol(),
            Unit::Percent => "%",
            Unit::Dollars => "$",
        }
    }

    pub fn parse(text: &str) -> Option<Unit> {
        match text {
            "%" => Some(Unit::Percent),
            "$" => Some(Unit::Dollars),
            t => TimeUnit::parse(t).map(Unit::Time),
        }
    }

    /// Seconds per unit for time units, `None` for the others.
    pub fn seconds(self) -> Option<f64> {
        match self {
            Unit::Time(t) => Some(t.seconds()),
            Unit::Percent | Unit::Dollars => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Condition {
    Compare {
        op: Op,
        value: f64,
        unit: Option<Unit>,
    },
    IsUp,
    IsDown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    pub source: String,
    pub condition: Condition,
    /// The condition must have held continuously this long.
    pub held_for: Option<Duration>,
}

/// Where in the criterion text the problem is (byte offsets into the text), and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionError {
    pub at: std::ops::Range<usize>,
    pub message: String,
    pub fix: String,
}

const GRAMMAR: &str =
    "write `SOURCE OP VALUE[UNIT] [for DURATION]` like `sync_lag < 30s for 5m`, or `SOURCE is up`";

impl Criterion {
    pub fn parse(text: &str) -> Result<Criterion, CriterionError> {
        let mut cur = Cursor { text, pos: 0 };
        cur.skip_ws();
        let src_start = cur.pos;
        // `.` for the built-in `traffic.green`; runbook source ids cannot contain it.
        let source =
            cur.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
        if source.is_empty() {
            return Err(cur.error(src_start, "a criterion starts with a source id", GRAMMAR));
        }
        cur.skip_ws();
        let cond_start = cur.pos;
        let condition = if cur.eat_word("is") {
            cur.skip_ws();
            let at = cur.pos;
            match cur.take_while(|c| c.is_ascii_alphabetic()) {
                "up" => Condition::IsUp,
                "down" => Condition::IsDown,
                _ => {
                    return Err(cur.error(
                        at,
                        "expected `up` or `down` after `is`",
                        "write `SOURCE is up` or `SOURCE is down`",
                    ));
                }
            }
        } else {
            let op = cur.take_op().ok_or_else(|| {
                cur.error(
                    cond_start,
                    "expected a comparison (<, <=, >, >=, ==, !=) or `is`",
                    GRAMMAR,
                )
            })?;
            cur.skip_ws();
            let (value, unit) = cur.take_value()?;
            Condition::Compare { op, value, unit }
        };
        cur.skip_ws();
        let mut held_for = None;
        if cur.eat_word("for") {
            cur.skip_ws();
            let at = cur.pos;
            let dur_text = cur.take_while(|c| !c.is_whitespace());
            held_for = Some(parse_duration(dur_text).map_err(|e| {
                cur.error(at, &e, "write a duration like `5m` or `1h30m` after `for`")
            })?);
            cur.skip_ws();
        }
        if cur.pos < text.len() {
            return Err(cur.error(
                cur.pos,
                &format!("unexpected `{}`", &text[cur.pos..]),
                GRAMMAR,
            ));
        }
        Ok(Criterion {
            source: source.to_string(),
            condition,
            held_for,
        })
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.source)?;
        match &self.condition {
            Condition::IsUp => write!(f, "is up")?,
            Condition::IsDown => write!(f, "is down")?,
            Condition::Compare { op, value, unit } => write!(
                f,
                "{} {value}{}",
                op.symbol(),
                unit.map_or("", Unit::symbol)
            )?,
        }
        if let Some(d) = self.held_for {
            write!(f, " for {}", format_duration(d))?;
        }
        Ok(())
    }
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_ws(&mut self) {
        self.take_while(char::is_whitespace);
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|c| !keep(c)).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    fn eat_word(&mut self, word: &str) -> bool {
        // Only after `starts_with` is `word.len()` a character boundary of `rest`.
        let Some(after) = self.rest().strip_prefix(word) else {
            return false;
        };
        if after.chars().next().is_none_or(char::is_whitespace) {
            self.pos += word.len();
            return true;
        }
        false
    }

    fn take_op(&mut self) -> Option<Op> {
        let rest = self.rest();
        let (op, len) = [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .into_iter()
        .find(|(sym, _)| rest.starts_with(sym))
        .map(|(sym, op)| (op, sym.len()))?;
        self.pos += len;
        Some(op)
    }

    /// A number with an optional unit right after it; `$` may also come first (`$395`).
    fn take_value(&mut self) -> Result<(f64, Option<Unit>), CriterionError> {
        let start = self.pos;
        let dollar_first = self.rest().starts_with('$');
        if dollar_first {
            self.pos += 1;
        }
        let num_start = self.pos;
        let number = self.take_while(|c| c.is_ascii_digit() || c == '.' || c == '-');
        let value: f64 = number.parse().map_err(|_| {
            self.error(
                num_start,
                "expected a number to compare with",
                "write a number such as `30`, `0.1` or `395`, with an optional unit",
            )
        })?;
        let unit_start = self.pos;
        let unit_text = self.take_while(|c| c.is_ascii_alphabetic() || c == '%' || c == '$');
        let unit = match (dollar_first, unit_text) {
            (true, "") => Some(Unit::Dollars),
            (true, _) => {
                return Err(self.error(
                    start,
                    "a `$` amount takes no other unit",
                    "write `$395` or `395$`",
                ));
            }
            (false, "") => None,
            (false, u) => Some(Unit::parse(u).ok_or_else(|| {
                self.error(
                    unit_start,
                    &format!("`{u}` is not a unit"),
                    &format!("use one of {TIME_UNIT_NAMES}, %, $ (or none)"),
                )
            })?),
        };
        Ok((value, unit))
    }

    fn error(&self, at: usize, message: &str, fix: &str) -> CriterionError {
        let end = self.text[at..]
            .find(char::is_whitespace)
            .map_or(self.text.len(), |i| at + i.max(1));
        CriterionError {
            at: at..end.max(at + 1).min(self.text.len().max(at + 1)),
            message: message.into(),
            fix: fix.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(op: Op, value: f64, unit: Option<Unit>) -> Condition {
        Condition::Compare { op, value, unit }
    }

    #[test]
    fn parses_the_grammar() {
        let cases: Vec<(&str, &str, Condition, Option<u64>)> = vec![
            (
                "sync_lag < 30s",
                "sync_lag",
                cmp(Op::Lt, 30.0, Some(Unit::Time(TimeUnit::Seconds))),
                None,
            ),
            (
                "error_rate < 0.1%",
                "error_rate",
                cmp(Op::Lt, 0.1, Some(Unit::Percent)),
                None,
            ),
            ("api_green is up", "api_green", Condition::IsUp, None),
            ("old is down for 2m", "old", Condition::IsDown, Some(120)),
            ("cost_mtd < 395", "cost_mtd", cmp(Op::Lt, 395.0, None), None),
            (
                "cost_mtd <= $395",
                "cost_mtd",
                cmp(Op::Le, 395.0, Some(Unit::Dollars)),
                None,
            ),
            (
                "p95>=200ms for 5m",
                "p95",
                cmp(Op::Ge, 200.0, Some(Unit::Time(TimeUnit::Millis))),
                Some(300),
            ),
            ("conflicts != 0", "conflicts", cmp(Op::Ne, 0.0, None), None),
            (
                "hits == 80%",
                "hits",
                cmp(Op::Eq, 80.0, Some(Unit::Percent)),
                None,
            ),
        ];
        for (text, source, condition, held) in cases {
            let c = Criterion::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(c.source, source, "{text}");
            assert_eq!(c.condition, condition, "{text}");
            assert_eq!(c.held_for.map(|d| d.as_secs()), held, "{text}");
        }
    }

    #[test]
    fn rejects_with_position() {
        let cases = [
            ("sync_lag ~ 30s", 9, "comparison"),
            ("sync_lag < fast", 11, "number"),
            ("sync_lag < 30parsecs", 13, "not a unit"),
            ("api is sideways", 7, "`up` or `down`"),
            ("lag < 3s for ever", 13, "not a duration"),
            ("lag < 3s and more", 9, "unexpected"),
            ("< 3s", 0, "source id"),
        ];
        for (text, at, words) in cases {
            let e = Criterion::parse(text).expect_err(text);
            assert_eq!(e.at.start, at, "{text}: {e:?}");
            assert!(e.message.contains(words), "{text}: {}", e.message);
        }
    }

    #[test]
    fn displays_canonically() {
        let c = Criterion::parse("sync_lag<30s   for 5m").unwrap();
        assert_eq!(c.to_string(), "sync_lag < 30s for 5m");
    }
}

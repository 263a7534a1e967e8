//! Small reusable checks that record a diagnostic and return `None` on failure, so validation
//! goes on and reports every problem in one pass.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use toml::Spanned;

use super::diagnostic::Diagnostic;
use super::duration::{format_duration, parse_duration, parse_time_mark};
use super::unit::SourceUnit;
use crate::criteria::{Condition, Criterion, Unit};

/// The longest duration a runbook may give (planned, bake, wait, timeouts, time marks).
pub const MAX_DURATION: Duration = Duration::from_secs(30 * 86_400);
/// Polling intervals: at least a second, at most a day.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);
pub const MAX_INTERVAL: Duration = Duration::from_secs(86_400);

#[derive(Default)]
pub struct Checker {
    pub diags: Vec<Diagnostic>,
    /// Source id → its unit, for criteria checks.
    pub sources: HashMap<String, (SourceUnit, bool)>,
}

impl Checker {
    pub fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.diags.push(Diagnostic::error(span, message, fix));
    }

    /// A duration of at most [`MAX_DURATION`]: longer is a typo, and the clock arithmetic of
    /// a run (start + planned, bake, gate timeouts) must stay far from overflowing.
    pub fn duration(&mut self, text: &Spanned<String>, what: &str) -> Option<Duration> {
        match parse_duration(text.get_ref()) {
            Ok(d) if d > MAX_DURATION => {
                self.error(
                    text.span(),
                    format!(
                        "{what} `{}` is longer than {}",
                        text.get_ref(),
                        format_duration(MAX_DURATION)
                    ),
                    format!(
                        "a migration step waits, bakes or times out within {}: write a shorter {what}",
                        format_duration(MAX_DURATION)
                    ),
                );
                None
            }
            Ok(d) => Some(d),
            Err(why) => {
                self.error(
                    text.span(),
                    format!("{what} `{}` is not a duration: {why}", text.get_ref()),
                    "write a number and a unit, largest unit first: 500ms, 10s, 5m, 1h30m, 2d",
                );
                None
            }
        }
    }

    pub fn opt_duration(
        &mut self,
        text: &Option<Spanned<String>>,
        what: &str,
        default: Duration,
    ) -> Duration {
        text.as_ref()
            .and_then(|t| self.duration(t, what))
            .unwrap_or(default)
    }

    /// How often a source is polled, between [`MIN_INTERVAL`] and [`MAX_INTERVAL`]: zero
    /// would poll in a busy loop, and a day is longer than any migration panel is watched.
    pub fn interval(
        &mut self,
        text: &Option<Spanned<String>>,
        what: &str,
        default: Duration,
    ) -> Duration {
        let Some(t) = text else {
            return default;
        };
        match self.duration(t, what) {
            Some(d) if d < MIN_INTERVAL => self.error(
                t.span(),
                format!("{what} is under 100ms: `{}`", t.get_ref()),
                format!("poll at most ten times a second, e.g. {what} = \"10s\""),
            ),
            Some(d) if d > MAX_INTERVAL => self.error(
                t.span(),
                format!("{what} is longer than a day: `{}`", t.get_ref()),
                format!("poll at least once a day, e.g. {what} = \"1h\""),
            ),
            Some(d) => return d,
            None => {}
        }
        default
    }

    pub fn time_mark(&mut self, text: &Spanned<String>) -> Option<i64> {
        parse_time_mark(text.get_ref())
            .and_then(|mark| {
                if mark.unsigned_abs() > MAX_DURATION.as_secs() {
                    Err(format!(
                        "`{}` is more than {} from T-0",
                        text.get_ref(),
                        format_duration(MAX_DURATION)
                    ))
                } else {
                    Ok(mark)
                }
            })
            .map_err(|why| {
                self.error(
                    text.span(),
                    format!("`at` {why}"),
                    "write a mark relative to T-0: T-2h, T0, T+15m",
                )
            })
            .ok()
    }

    pub fn weight(&mut self, w: &Spanned<i64>) -> Option<u8> {
        match u8::try_from(*w.get_ref()) {
            Ok(v) if v <= 100 => Some(v),
            _ => {
                self.error(
                    w.span(),
                    format!("weight {} is outside 0-100", w.get_ref()),
                    "a weight is the percentage of traffic sent to green: 0 to 100",
                );
                None
            }
        }
    }

    /// One of a fixed set of words; a near miss gets a did-you-mean.
    pub fn choice<'w>(
        &mut self,
        text: &Spanned<String>,
        what: &str,
        allowed: &[&'w str],
    ) -> Option<&'w str> {
        if let Some(hit) = allowed.iter().find(|a| **a == text.get_ref()) {
            return Some(hit);
        }
        let list = allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let fix = match did_you_mean(text.get_ref(), allowed.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? {what} is one of {list}"),
            None => format!("{what} is one of {list}"),
        };
        self.error(
            text.span(),
            format!("unknown {what} `{}`", text.get_ref()),
            fix,
        );
        None
    }

    /// Ids are referred to by the journal and by criteria: keep them plain and unique.
    pub fn id<'r>(
        &mut self,
        id: &'r Spanned<String>,
        kind: &str,
        seen: &mut HashMap<&'r str, Range<usize>>,
        text: &str,
    ) {
        let s = id.get_ref().as_str();
        let well_formed = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !well_formed {
            self.error(
                id.span(),
                format!("{kind} id `{s}` is not a plain id"),
                "use letters, digits, `_` and `-`, starting with a letter",
            );
        }
        if let Some(first) = seen.get(s) {
            let (line, _) = super::diagnostic::line_col(text, first.start);
            self.error(id.span(), format!("duplicate {kind} id `{s}`"), format!("{kind} ids must be unique; `{s}` is first defined at line {line}: rename one of them"));
        } else {
            seen.insert(s, id.span());
        }
    }

    /// Parses each criterion and checks it names a known source with a compatible unit.
    pub fn criteria(&mut self, list: &[Spanned<String>]) -> Vec<Criterion> {
        list.iter().filter_map(|c| self.criterion(c)).collect()
    }

    fn criterion(&mut self, text: &Spanned<String>) -> Option<Criterion> {
        // +1 skips the opening quote of the TOML string.
        let base = text.span().start + 1;
        let c = match Criterion::parse(text.get_ref()) {
            Ok(c) => c,
            Err(e) => {
                self.error(
                    base + e.at.start..base + e.at.end,
                    format!("criterion `{}`: {}", text.get_ref(), e.message),
                    e.fix,
                );
                return None;
            }
        };
        if c.held_for.is_some_and(|d| d > MAX_DURATION) {
            self.error(
                text.span(),
                format!(
                    "criterion `{}` holds for longer than {}",
                    text.get_ref(),
                    format_duration(MAX_DURATION)
                ),
                "a criterion holds for minutes or hours: write a shorter `for`, like `for 5m`",
            );
            return None;
        }
        let src_span = base..base + c.source.len();
        let Some((unit, is_http)) = self.sources.get(&c.source).cloned() else {
            let fix = match did_you_mean(&c.source, self.sources.keys().map(String::as_str)) {
                Some(near) => {
                    format!("did you mean `{near}`? A criterion names the id of a [[source]]")
                }
                None => format!(
                    "define a [[source]] with id = \"{}\", or name one of the existing sources",
                    c.source
                ),
            };
            self.error(
                src_span,
                format!("criterion names unknown source `{}`", c.source),
                fix,
            );
            return None;
        };
        match &c.condition {
            Condition::IsUp | Condition::IsDown if !is_http => {
                self.error(
                    src_span,
                    format!(
                        "`is up`/`is down` needs an http source, and `{}` is not one",
                        c.source
                    ),
                    "compare its value instead, e.g. `SOURCE < 30`",
                );
                return None;
            }
            Condition::Compare { unit: Some(u), .. } if !units_compatible(*u, &unit) => {
                self.error(
                    text.span(),
                    format!("criterion compares in `{}` but source `{}` reports in `{}`", u.symbol(), c.source, unit.text().unwrap_or("")),
                    format!("use the source's unit, or a time unit ({}) only for a source measured in time", super::unit::TIME_UNIT_NAMES),
                );
                return None;
            }
            _ => {}
        }
        Some(c)
    }
}

fn units_compatible(criterion: Unit, source: &SourceUnit) -> bool {
    match (criterion, source) {
        // A free-form or missing unit: nothing to compare against.
        (_, SourceUnit::Count | SourceUnit::Label(_)) => true,
        (Unit::Time(_), s) => s.time().is_some(),
        (Unit::Percent, s) => *s == SourceUnit::Percent,
        (Unit::Dollars, s) => *s == SourceUnit::Dollars,
    }
}

/// The closest candidate, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        // Edit distance catches short ids (`lgg` → `lag`), Jaro-Winkler long shared prefixes.
        .map(|c| {
            (
                strsim::normalized_damerau_levenshtein(word, c)
                    .max(strsim::jaro_winkler(word, c) - 0.2),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

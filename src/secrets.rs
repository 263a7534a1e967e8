//! Secret values never reach the screen, the journal, the report or the log. The rule for which
//! variables hold a secret lives here once: names that look secret (the command dialog shows
//! them by name only) and the names the runbook declares in `[runbook] secrets`. Text from the
//! outside (command output, source errors, read-backs) passes through a `Redactor` where it
//! enters, and each secret value in it becomes `$NAME`.

use std::collections::BTreeMap;

use crate::sanitize::one_line;
use crate::telemetry::Reading;
use crate::telemetry::poller::Report;

/// Values shorter than this are not redacted: `1`, `on` or `dev` would turn every line into a
/// puzzle of `$NAME`s and hide nothing worth hiding.
pub const MIN_SECRET_LEN: usize = 4;

/// Names that look like they hold a secret: their values are never shown.
pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    // The login session's own variables match `SESSION` or `AUTH` but hold words like `user`
    // or `tty` and socket paths: redacting those would rewrite ordinary output, hiding nothing.
    if upper.starts_with("XDG_") || upper.ends_with("_SOCK") || upper == "DESKTOP_SESSION" {
        return false;
    }
    [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "KEY",
        "CREDENTIAL",
        "AUTH",
        "PRIVATE",
        "COOKIE",
        "SESSION",
    ]
    .iter()
    .any(|word| upper.contains(word))
}

/// Built once from the environment and the runbook's declared secrets; applied to each line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    /// (value, `$NAME`), longest value first, so a secret that contains another is replaced
    /// whole rather than leaving its remainder in the clear.
    pairs: Vec<(String, String)>,
}

impl Redactor {
    /// The secret variables of `env`: those whose name looks secret or is in `declared`, with a
    /// value of at least `MIN_SECRET_LEN` characters.
    pub fn new(env: &BTreeMap<String, String>, declared: &[String]) -> Self {
        let mut pairs = Vec::new();
        for (name, value) in env {
            if !(looks_secret(name) || declared.contains(name)) {
                continue;
            }
            // Output lines are folded to one line before they get here: the value is looked
            // for as written and as folded.
            for form in [value.clone(), one_line(value)] {
                if form.chars().count() >= MIN_SECRET_LEN && !pairs.iter().any(|(v, _)| *v == form)
                {
                    pairs.push((form, format!("${name}")));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.1.cmp(&b.1)));
        Self { pairs }
    }

    /// The redactor of a cockpit or `status`: this process's environment and the runbook's list.
    pub fn from_process_env(declared: &[String]) -> Self {
        Self::new(&std::env::vars().collect(), declared)
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// `text` with every secret value replaced by `$NAME`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (value, name) in &self.pairs {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), name);
            }
        }
        out
    }

    /// A source's reading with its error or down reason redacted (numbers carry no text).
    pub fn reading(&self, reading: Reading) -> Reading {
        match reading {
            Reading::Down { reason } => Reading::Down {
                reason: self.redact(&reason),
            },
            Reading::Error(why) => Reading::Error(self.redact(&why)),
            other => other,
        }
    }

    /// A poller report, redacted before it reaches the cockpit.
    pub fn report(&self, report: Report) -> Report {
        match report {
            Report::Sample(mut sample) => {
                sample.reading = self.reading(sample.reading);
                Report::Sample(sample)
            }
            calls => calls,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn secret_names() {
        for name in [
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "db_password",
            "API_KEY",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in [
            "API_ID",
            "REGION",
            "HOST",
            "XDG_SESSION_CLASS",
            "SSH_AUTH_SOCK",
            "DESKTOP_SESSION",
        ] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn secret_values_become_their_names() {
        let r = Redactor::new(
            &env(&[
                ("DB_PASSWORD", "hunter2-prod"),
                ("REGION", "eu-west-1"),
                ("PGCONN", "postgres://app:hunter2-prod@db"),
            ]),
            &["PGCONN".into()],
        );
        assert_eq!(
            r.redact("the token is hunter2-prod in eu-west-1"),
            "the token is $DB_PASSWORD in eu-west-1",
            "a name that looks secret; a plain one stays"
        );
        assert_eq!(
            r.redact("connecting to postgres://app:hunter2-prod@db failed"),
            "connecting to $PGCONN failed",
            "declared in the runbook, and longest first: no `$DB_PASSWORD` left inside"
        );
        assert_eq!(r.redact("nothing here"), "nothing here");
    }

    #[test]
    fn very_short_values_are_left_alone() {
        let r = Redactor::new(
            &env(&[
                ("AUTH_MODE", "on"),
                ("SESSION_TTL", "300"),
                ("API_KEY", "abcd"),
            ]),
            &[],
        );
        assert_eq!(r.redact("on 300 abcd"), "on 300 $API_KEY");
    }

    #[test]
    fn a_value_with_whitespace_is_found_as_output_lines_show_it() {
        let r = Redactor::new(&env(&[("SECRET_PHRASE", "open\tsesame  now")]), &[]);
        // Output lines are folded by `one_line` before redaction.
        assert_eq!(
            r.redact(&one_line("say open\tsesame  now!")),
            "say $SECRET_PHRASE!"
        );
    }

    #[test]
    fn readings_lose_their_secrets() {
        let r = Redactor::new(&env(&[("API_TOKEN", "tok-123456")]), &[]);
        assert_eq!(
            r.reading(Reading::Error("401 for tok-123456".into())),
            Reading::Error("401 for $API_TOKEN".into())
        );
        assert_eq!(
            r.reading(Reading::Down {
                reason: "refused tok-123456".into()
            }),
            Reading::Down {
                reason: "refused $API_TOKEN".into()
            }
        );
        assert_eq!(r.reading(Reading::Number(1.0)), Reading::Number(1.0));
    }
}

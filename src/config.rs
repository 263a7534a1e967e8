//! The config file, `<config dir>/config.toml` (`~/.config/flightdeck/` or
//! `$FLIGHTDECK_CONFIG_DIR`): defaults for the command line and key overrides. No file is the
//! same as an empty one. A file that does not parse, or names an unknown setting, command or
//! key, stops the program with every problem at its line and column: a config that is silently
//! half-applied would surprise the operator on migration day. Documented in `docs/config.md`.

pub mod keys;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub const FILE_NAME: &str = "config.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    theme: Option<String>,
    profile: Option<String>,
    region: Option<String>,
    #[serde(default)]
    ascii: bool,
    database_url: Option<String>,
    database_ca_file: Option<PathBuf>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<KeyEntry>>,
}

/// `command = "key"`, `command = ["key", …]`, or a dialog's section `[keys.gate]`.
#[derive(Debug)]
enum KeyEntry {
    One(String),
    More(Vec<String>),
    Layer(BTreeMap<Spanned<String>, Spanned<KeyEntry>>),
}

/// By hand, not `#[serde(untagged)]`: an untagged enum buffers its input and so loses the
/// places (`Spanned`) of the commands inside a section, which errors point at.
impl<'de> Deserialize<'de> for KeyEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = KeyEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a key (\"x\"), a list of keys ([\"x\", \"ctrl-x\"]), or a dialog's section",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<KeyEntry, E> {
                Ok(KeyEntry::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<KeyEntry, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<String>()? {
                    keys.push(key);
                }
                Ok(KeyEntry::More(keys))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<KeyEntry, A::Error> {
                let mut commands = BTreeMap::new();
                while let Some((command, entry)) = map.next_entry()? {
                    commands.insert(command, entry);
                }
                Ok(KeyEntry::Layer(commands))
            }
        }
        d.deserialize_any(Entry)
    }
}

/// The settings, each `None`/empty when the file does not set it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Config {
    /// Where it was read from (or would have been), for messages.
    pub path: PathBuf,
    pub theme: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub ascii: bool,
    /// Team mode: the run's store, when neither `--journal` nor `FLIGHTDECK_DATABASE_URL` says.
    pub database_url: Option<String>,
    /// The CA bundle that signs the database's certificate (RDS ships its own).
    pub database_ca_file: Option<PathBuf>,
    pub keys: crate::app::keymap::KeyMaps,
}

/// Every problem of one config file, each at its line and column when known.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub problems: Vec<(Option<(usize, usize)>, String)>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (at, message)) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {}", self.path.display())?;
            if let Some((line, col)) = at {
                write!(f, ":{line}:{col}")?;
            }
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The user's config file, from the config dir.
    pub fn load() -> Result<Config, ConfigError> {
        Self::load_from(&crate::paths::config_dir().join(FILE_NAME))
    }

    pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config {
                path: path.to_path_buf(),
                ..Config::default()
            }),
            Err(e) => Err(ConfigError {
                path: path.to_path_buf(),
                problems: vec![(None, format!("cannot read it: {e}"))],
            }),
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let at = |span: Option<Range<usize>>| {
            span.map(|s| crate::runbook::diagnostic::line_col(text, s.start))
        };
        let fail = |problems| ConfigError {
            path: path.to_path_buf(),
            problems,
        };
        let raw: Raw =
            toml::from_str(text).map_err(|e| fail(vec![(at(e.span()), e.message().into())]))?;
        let mut overrides = Vec::new();
        let mut problems = Vec::new();
        for (name, entry) in raw.keys {
            match entry.into_inner() {
                KeyEntry::Layer(commands) => {
                    for (command, entry) in commands {
                        match key_list(entry.into_inner()) {
                            Ok(keys) => overrides.push(keys::Override {
                                layer: name.get_ref().clone(),
                                span: command.span(),
                                command: command.into_inner(),
                                keys,
                            }),
                            Err(message) => problems.push((at(Some(command.span())), message)),
                        }
                    }
                }
                entry => match key_list(entry) {
                    Ok(keys) => overrides.push(keys::Override {
                        layer: String::new(),
                        span: name.span(),
                        command: name.into_inner(),
                        keys,
                    }),
                    Err(message) => problems.push((at(Some(name.span())), message)),
                },
            }
        }
        if !problems.is_empty() {
            return Err(fail(problems));
        }
        let keys = keys::build(&overrides).map_err(|errors| {
            fail(
                errors
                    .into_iter()
                    .map(|e| (at(Some(e.span)), e.message))
                    .collect(),
            )
        })?;
        Ok(Config {
            path: path.to_path_buf(),
            theme: raw.theme,
            profile: raw.profile,
            region: raw.region,
            ascii: raw.ascii,
            database_url: raw.database_url,
            database_ca_file: raw.database_ca_file,
            keys,
        })
    }
}

/// The keys of one command; a section inside a section is not a command.
fn key_list(entry: KeyEntry) -> Result<Vec<String>, String> {
    match entry {
        KeyEntry::One(k) => Ok(vec![k]),
        KeyEntry::More(ks) => Ok(ks),
        KeyEntry::Layer(_) => Err("[keys]: a dialog's section holds commands, not sections".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("/cfg/config.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn empty_file_sets_nothing() {
        let c = parse("").unwrap();
        assert_eq!((c.theme, c.profile, c.ascii), (None, None, false));
        assert!(c.keys.is_default());
    }

    #[test]
    fn settings_and_keys_are_read() {
        let c = parse(
            "theme = \"light\"\nregion = \"eu-west-1\"\nascii = true\n[keys]\nquit = \"x\"\n",
        )
        .unwrap();
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert_eq!(c.region.as_deref(), Some("eu-west-1"));
        assert!(c.ascii);
        let main = &c.keys.main;
        assert_eq!(
            main.command(crate::app::Key::Char('x')),
            Some(crate::app::keymap::Command::Quit)
        );
    }

    #[test]
    fn a_dialogs_keys_are_read_from_its_section() {
        let c = parse("[keys]\nquit = \"x\"\n[keys.gate]\ngo = \"G\"\n").unwrap();
        use crate::app::Key::Char;
        use crate::app::keymap::{Do, GATE};
        assert_eq!(c.keys.command(&GATE, Char('G')), Some(Do::Go));
        assert_eq!(c.keys.command(&GATE, Char('y')), None);
        let err = parse("[keys.gat]\ngo = \"G\"\n").unwrap_err();
        assert!(
            err.contains("config.toml:2:1: [keys.gat]: unknown dialog (did you mean `gate`?)"),
            "{err}"
        );
        let err = parse("[keys.text]\nsubmit = \"s\"\n").unwrap_err();
        assert!(
            err.contains("would type a letter into the text field"),
            "{err}"
        );
    }

    #[test]
    fn bad_toml_says_where() {
        let err = parse("theme = \"light\"\nascii = yes\n").unwrap_err();
        assert!(err.starts_with("error: /cfg/config.toml:2:9: "), "{err}");
    }

    #[test]
    fn unknown_setting_is_an_error() {
        let err = parse("colour = \"light\"\n").unwrap_err();
        assert!(
            err.contains("config.toml:1:1: unknown field `colour`"),
            "{err}"
        );
    }

    #[test]
    fn key_problems_point_at_their_line() {
        let err = parse("[keys]\nquit = \"x\"\nskip = \"x\"\n").unwrap_err();
        assert!(
            err.contains("config.toml:3:1: [keys]: `x` is bound to both"),
            "{err}"
        );
    }

    #[test]
    fn the_documented_example_is_valid() {
        let doc = include_str!("../docs/config.md");
        let example = doc
            .split("```toml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("a toml example in docs/config.md");
        let c = parse(example).unwrap();
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert!(!c.keys.is_default());
    }

    #[test]
    fn missing_file_is_an_empty_config() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load_from(&dir.path().join(FILE_NAME)).unwrap();
        assert_eq!(c.theme, None);
    }
}

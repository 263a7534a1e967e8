//! Semantic styles from TOML themes. Built-in themes are the files in `themes/`, compiled in;
//! user themes live in `<config dir>/themes/NAME.toml` or any path. A theme may set only some
//! styles: the rest come from the dark theme. `NO_COLOR` keeps modifiers and drops colours.

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

pub const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../themes/colorblind.toml")),
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub text: Style,
    pub muted: Style,
    pub title: Style,
    pub header: Style,
    pub border: Style,
    pub border_focus: Style,
    pub selection: Style,
    pub accent: Style,
    pub key: Style,
    pub ok: Style,
    pub warn: Style,
    pub danger: Style,
    pub stale: Style,
    pub running: Style,
    pub matched: Style,
}

const NAMES: &[&str] = &[
    "text",
    "muted",
    "title",
    "header",
    "border",
    "border_focus",
    "selection",
    "accent",
    "key",
    "ok",
    "warn",
    "danger",
    "stale",
    "running",
    "match",
];

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error(
        "no theme `{0}`: use dark, light, high-contrast, colorblind, a file in the config dir's themes/, or a path"
    )]
    NotFound(String),
    #[error("theme {0}: {1}")]
    Invalid(String, String),
}

impl Theme {
    /// Resolves `--theme NAME|PATH`: an existing path, then a user theme, then a built-in one.
    pub fn load(
        name_or_path: &str,
        config_dir: &Path,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        let as_path = Path::new(name_or_path);
        let user = config_dir
            .join("themes")
            .join(format!("{name_or_path}.toml"));
        let (label, text) = if as_path.is_file() {
            (name_or_path.to_string(), read(as_path)?)
        } else if user.is_file() {
            (user.display().to_string(), read(&user)?)
        } else if let Some((_, text)) = BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
            (name_or_path.to_string(), text.to_string())
        } else {
            return Err(ThemeError::NotFound(name_or_path.into()));
        };
        Self::parse(&text, no_color).map_err(|e| ThemeError::Invalid(label, e))
    }

    pub fn default_dark() -> Theme {
        Self::parse(BUILT_IN[0].1, false).expect("the built-in dark theme parses")
    }

    /// Parses a theme file over the dark defaults.
    pub fn parse(text: &str, no_color: bool) -> Result<Theme, String> {
        let mut specs: BTreeMap<String, StyleSpec> =
            toml::from_str(BUILT_IN[0].1).map_err(|e| e.to_string())?;
        let overrides: BTreeMap<String, StyleSpec> =
            toml::from_str(text).map_err(|e| e.message().to_string())?;
        for (name, spec) in overrides {
            if !NAMES.contains(&name.as_str()) {
                let near = crate::runbook::check::did_you_mean(&name, NAMES.iter().copied())
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown style `{name}`{near}; styles are {}",
                    NAMES.join(", ")
                ));
            }
            specs.insert(name, spec);
        }
        let mut style = |name: &str| to_style(specs.remove(name).unwrap_or_default(), no_color);
        let mut theme = Theme {
            text: style("text")?,
            muted: style("muted")?,
            title: style("title")?,
            header: style("header")?,
            border: style("border")?,
            border_focus: style("border_focus")?,
            selection: style("selection")?,
            accent: style("accent")?,
            key: style("key")?,
            ok: style("ok")?,
            warn: style("warn")?,
            danger: style("danger")?,
            stale: style("stale")?,
            running: style("running")?,
            matched: style("match")?,
        };
        if no_color {
            // Without colour, the selection and search hits must still stand out.
            theme.selection = theme.selection.add_modifier(Modifier::REVERSED);
            theme.matched = theme.matched.add_modifier(Modifier::UNDERLINED);
            theme.header = theme.header.add_modifier(Modifier::REVERSED);
        }
        Ok(theme)
    }
}

fn read(path: &Path) -> Result<String, ThemeError> {
    std::fs::read_to_string(path)
        .map_err(|e| ThemeError::Invalid(path.display().to_string(), e.to_string()))
}

fn to_style(spec: StyleSpec, no_color: bool) -> Result<Style, String> {
    let mut style = Style::default();
    if !no_color {
        if let Some(fg) = &spec.fg {
            style = style.fg(parse_color(fg)?);
        }
        if let Some(bg) = &spec.bg {
            style = style.bg(parse_color(bg)?);
        }
    }
    for (on, m) in [
        (spec.bold, Modifier::BOLD),
        (spec.dim, Modifier::DIM),
        (spec.italic, Modifier::ITALIC),
        (spec.underline, Modifier::UNDERLINED),
        (spec.reversed, Modifier::REVERSED),
    ] {
        if on {
            style = style.add_modifier(m);
        }
    }
    Ok(style)
}

fn parse_color(text: &str) -> Result<Color, String> {
    text.parse::<Color>()
        .map_err(|_| format!("`{text}` is not a colour: use an ANSI name, 0-255, or #rrggbb"))
}

/// Whether the user asked for no colour (<https://no-color.org>: set and not empty).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_parse_and_differ() {
        let themes: Vec<Theme> = BUILT_IN
            .iter()
            .map(|(n, t)| Theme::parse(t, false).unwrap_or_else(|e| panic!("{n}: {e}")))
            .collect();
        assert_ne!(themes[0], themes[1]);
        assert_eq!(themes[0].danger.fg, Some(Color::Red));
    }

    #[test]
    fn partial_theme_inherits_and_unknown_style_is_named() {
        let t = Theme::parse("danger = { fg = \"magenta\" }", false).unwrap();
        assert_eq!(t.danger.fg, Some(Color::Magenta));
        assert_eq!(t.ok.fg, Some(Color::Green));
        let err = Theme::parse("dangr = {}", false).unwrap_err();
        assert!(err.contains("did you mean `danger`"), "{err}");
    }

    #[test]
    fn no_color_drops_colours_keeps_emphasis() {
        let t = Theme::parse(BUILT_IN[0].1, true).unwrap();
        assert_eq!(t.danger.fg, None);
        assert!(t.danger.add_modifier.contains(Modifier::BOLD));
        assert!(t.selection.add_modifier.contains(Modifier::REVERSED));
    }
}

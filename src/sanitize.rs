//! Text from outside (HTTP bodies, error messages, command output, metric labels) is cleaned
//! once, where it enters, before anything draws, logs or journals it. A hostile body must not
//! move the cursor, retitle the terminal, hide text or reverse it.

/// Removes escape sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-byte escapes), C0 and C1
/// control characters and bidirectional overrides. Keeps `\n`; turns `\t` and `\r` into spaces.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 string introducers (8-bit forms of DCS, SOS, OSC, PM, APC): skip to ST/BEL.
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            // 8-bit CSI: parameters then a final byte.
            '\u{9b}' => skip_csi(&mut chars),
            '\n' => out.push('\n'),
            '\t' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c if is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// One line for a panel cell: sanitized, whitespace runs folded to one space.
pub fn one_line(input: &str) -> String {
    sanitize(input)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text from a file or a source, shown to a person: every control character and
/// bidirectional override is written out (`\e`, `\n`, `\u{7}`), so it can be read and cannot
/// drive the terminal. Unlike [`sanitize`], nothing is dropped: a diagnostic must show what
/// is really in the file.
pub fn visible(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        push_visible(&mut out, c);
    }
    out
}

/// [`visible`] for one character, for callers that build text a character at a time.
pub fn push_visible(out: &mut String, c: char) {
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c.is_control() || is_bidi_control(c) => {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
        c => out.push(c),
    }
}

/// [`visible`], cut to `max` characters with `…` when longer: a 10 MB value in a message
/// must not become a 10 MB line.
pub fn visible_cut(input: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in input.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        push_visible(&mut out, c);
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Escapes with intermediates (`ESC ( B`): skip the intermediates and the final byte.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while chars
                .next_if(|c| ('\u{20}'..='\u{2f}').contains(c))
                .is_some()
            {}
            chars.next();
        }
        _ => {} // a two-byte escape: both bytes are gone
    }
}

fn skip_csi(chars: &mut Chars) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
    }
}

/// Skips to the string terminator: BEL, `ESC \`, or the 8-bit ST.
fn skip_string(chars: &mut Chars) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9c}' => return,
            '\u{1b}' if chars.peek() == Some(&'\\') => {
                chars.next();
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_what_could_drive_the_terminal() {
        let cases = [
            ("plain text", "plain text"),
            ("\x1b[31mred\x1b[0m", "red"),
            ("\x1b[2J\x1b[Hcleared", "cleared"),
            ("\x1b]0;owned title\x07after", "after"),
            ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),
            ("\x1bPq#0;2;0;0;0\x1b\\dcs", "dcs"),
            ("a\x1b(Bb", "ab"),
            ("bell\x07 and back\x08space", "bell and backspace"),
            ("c1\u{9b}31mcsi", "c1csi"),
            ("\u{9d}0;title\u{9c}osc8", "osc8"),
            ("\u{85}next line", "next line"),
            ("admin\u{202e}txt.exe", "admintxt.exe"),
            ("iso\u{2066}late\u{2069}", "isolate"),
            ("tab\there\r\n", "tab here \n"),
            ("unterminated \x1b]0;forever", "unterminated "),
            ("unicode ✔ and 日本 stay", "unicode ✔ and 日本 stay"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize(input), want, "{input:?}");
        }
    }

    #[test]
    fn visible_writes_controls_out() {
        assert_eq!(
            visible("\x1b]0;PWNED\x07 a\tb\n\u{202e}x\u{9b}"),
            "\\e]0;PWNED\\u{7} a\\tb\\n\\u{202e}x\\u{9b}"
        );
        assert_eq!(visible("plain ✔"), "plain ✔");
        assert_eq!(visible_cut("abcdef", 3), "abc…");
        assert_eq!(visible_cut("\x1babc", 10), "\\eabc");
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        assert!(
            visible(&all)
                .chars()
                .all(|c| !c.is_control() && !is_bidi_control(c))
        );
    }

    #[test]
    fn one_line_folds_whitespace() {
        assert_eq!(
            one_line("  error:\n\tconnection\x1b[K refused  "),
            "error: connection refused"
        );
    }

    #[test]
    fn output_never_holds_controls() {
        // Every byte value through every position: nothing controlling survives.
        let all: String = (0u32..0x300).filter_map(char::from_u32).collect();
        let clean = sanitize(&format!("{all}\x1b[1m{all}"));
        assert!(
            clean
                .chars()
                .all(|c| c == '\n' || (!c.is_control() && !is_bidi_control(c)))
        );
    }
}

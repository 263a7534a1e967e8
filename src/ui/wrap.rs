//! How many rows a dialog's lines take once the paragraph wraps them at words, so a popup is
//! sized to show every line.

use ratatui::text::Line;

/// Rows the lines take when wrapped inside a box `width` wide, so no line is cut off. Wrapping
/// is at words, as the paragraph does it: a line of long words (ARNs) takes more rows than its
/// width alone says, and counting by width cut off the confirmation line below it.
pub fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let inner = width.saturating_sub(2).max(1) as usize;
    lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            word_wrapped_rows(&text, inner) as u16
        })
        .sum()
}

/// Rows of `text` filled greedily word by word into `width` columns; a word wider than a row
/// is broken across rows.
fn word_wrapped_rows(text: &str, width: usize) -> usize {
    use unicode_width::UnicodeWidthStr;
    let (mut rows, mut used) = (1, 0);
    for word in text.split(' ') {
        let w = word.width();
        let need = if used == 0 { w } else { used + 1 + w };
        if need <= width {
            used = need;
        } else if w <= width {
            rows += 1;
            used = w;
        } else {
            // A long word starts on a row of its own and spills over as many as it takes.
            if used > 0 {
                rows += 1;
            }
            rows += (w - 1) / width;
            used = w - (w - 1) / width * width;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_take_the_rows_word_wrapping_gives_them() {
        assert_eq!(word_wrapped_rows("", 10), 1);
        assert_eq!(word_wrapped_rows("one two", 10), 1);
        assert_eq!(word_wrapped_rows("one two three", 10), 2);
        // An ARN wider than the row starts a row of its own and spills over: counting by
        // width alone (3 rows for 24 columns of text) cut the dialog short.
        let arn = "x".repeat(15);
        assert_eq!(word_wrapped_rows(&format!("go {arn} ok"), 10), 3);
        assert_eq!(wrapped_height(&[Line::from(format!("go {arn} ok"))], 12), 3);
    }
}

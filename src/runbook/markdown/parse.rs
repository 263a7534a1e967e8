//! A Markdown guide read into sections and items, each with the byte range it came from.
//! Pure: text in, data out. Nothing is decided here about what becomes a step (`map` does that).

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::text::{clean, heading_key};

/// A heading and what sits under it up to the next heading. Section 0 is the text before the
/// first heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// 1-6, or 0 for the text before the first heading.
    pub level: u8,
    /// As the reader sees it (decoration removed).
    pub title: String,
    /// Normalized titles from the top heading down to this one (see `text::heading_key`).
    pub path: Vec<String>,
    pub parent: Option<usize>,
    pub span: Range<usize>,
    /// Paragraphs and tables, shown as text.
    pub prose: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// `- [ ] text`
    Task,
    /// `1. text`
    Numbered,
    /// `- text`
    Bullet,
    /// A fenced (or indented) code block; `lang` as written after the fence, lower case.
    Fence {
        lang: String,
    },
    Table,
}

/// Something in a section an anchor can name: a list item, a fence or a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub section: usize,
    /// 1-based, in document order within its section.
    pub ordinal: usize,
    pub kind: ItemKind,
    /// A list item's text (cleaned), a fence's body as written, a table's rows as text.
    pub text: String,
    pub span: Range<usize>,
    /// For a fence: the paragraph just before it, or the text of the list item it sits in.
    pub lead: Option<String>,
    /// A list item that holds a fence: the fence carries it, so it is no step of its own.
    pub holds_fence: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Guide {
    pub sections: Vec<Section>,
    pub items: Vec<Item>,
}

impl Guide {
    pub fn items_of(&self, section: usize) -> impl Iterator<Item = (usize, &Item)> {
        self.items
            .iter()
            .enumerate()
            .filter(move |(_, i)| i.section == section)
    }

    /// Sections under `section` (itself included), in document order.
    pub fn subtree(&self, section: usize) -> Vec<usize> {
        let mut out = vec![section];
        for i in section + 1..self.sections.len() {
            let mut p = self.sections[i].parent;
            while let Some(up) = p {
                if up == section {
                    out.push(i);
                    break;
                }
                p = self.sections[up].parent;
            }
        }
        out
    }

    /// The heading path as written, for messages: `A > B > C`.
    pub fn shown_path(&self, section: usize) -> String {
        let mut titles = Vec::new();
        let mut at = Some(section);
        while let Some(i) = at {
            if self.sections[i].level > 0 {
                titles.push(self.sections[i].title.clone());
            }
            at = self.sections[i].parent;
        }
        titles.reverse();
        titles.join(" > ")
    }
}

/// Where YAML front matter ends (`---` … `---` at the very start), or 0. Detected by hand: the
/// guides use `---` as rules, which a front-matter parser would swallow.
pub fn front_matter_end(text: &str) -> usize {
    let Some(rest) = text.strip_prefix("---\n") else {
        return 0;
    };
    let mut at = 4;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return at + line.len();
        }
        let looks_yaml = trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with(' ')
            || trimmed.starts_with('-')
            || trimmed.contains(':');
        if !looks_yaml {
            return 0;
        }
        at += line.len();
    }
    0
}

/// A table being read: its rows so far, the row's cells, the cell's text.
#[derive(Default)]
struct Table {
    rows: Vec<String>,
    cells: Vec<String>,
    cell: String,
    start: usize,
}

struct OpenItem {
    index: usize,
    collecting: bool,
}

/// Reads a guide. Never fails: Markdown has no syntax errors, only text.
pub fn parse(text: &str) -> Guide {
    let base = front_matter_end(text);
    let mut guide = Guide {
        sections: vec![Section {
            level: 0,
            title: String::new(),
            path: Vec::new(),
            parent: None,
            span: 0..0,
            prose: Vec::new(),
        }],
        items: Vec::new(),
    };
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    let mut lists: Vec<bool> = Vec::new();
    let mut open: Vec<OpenItem> = Vec::new();
    let mut heading: Option<(u8, String, Range<usize>)> = None;
    let mut paragraph: Option<String> = None;
    let mut last_paragraph: Option<String> = None;
    let mut fence: Option<(String, String, usize)> = None;
    let mut table: Option<Table> = None;
    let mut quote_depth = 0usize;

    for (event, range) in Parser::new_ext(&text[base..], options).into_offset_iter() {
        let range = range.start + base..range.end + base;
        let section = guide.sections.len() - 1;
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as u8, String::new(), range));
                last_paragraph = None;
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, title, span)) = heading.take() {
                    add_section(&mut guide, level, &title, span);
                }
            }
            Event::Start(Tag::List(first)) => {
                if let Some(top) = open.last_mut() {
                    top.collecting = false;
                }
                lists.push(first.is_some());
                last_paragraph = None;
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                let numbered = lists.last().copied().unwrap_or(false);
                guide.items.push(Item {
                    section,
                    ordinal: 0,
                    kind: if numbered {
                        ItemKind::Numbered
                    } else {
                        ItemKind::Bullet
                    },
                    text: String::new(),
                    span: range,
                    lead: None,
                    holds_fence: false,
                });
                open.push(OpenItem {
                    index: guide.items.len() - 1,
                    collecting: true,
                });
            }
            Event::End(TagEnd::Item) => {
                if let Some(done) = open.pop() {
                    let item = &mut guide.items[done.index];
                    item.text = clean(&item.text);
                    item.span.end = range.end;
                }
            }
            Event::TaskListMarker(_) => {
                if let Some(top) = open.last() {
                    guide.items[top.index].kind = ItemKind::Task;
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .unwrap_or("")
                        .to_lowercase(),
                    CodeBlockKind::Indented => String::new(),
                };
                if let Some(top) = open.last_mut() {
                    top.collecting = false;
                    guide.items[top.index].holds_fence = true;
                }
                fence = Some((lang, String::new(), range.start));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, body, start)) = fence.take() {
                    let lead = match open.last() {
                        Some(top) => Some(clean(&guide.items[top.index].text)),
                        None => last_paragraph.take(),
                    };
                    guide.items.push(Item {
                        section,
                        ordinal: 0,
                        kind: ItemKind::Fence { lang },
                        text: body,
                        span: start..range.end,
                        lead,
                        holds_fence: false,
                    });
                }
            }
            Event::Start(Tag::Table(_)) => {
                table = Some(Table {
                    start: range.start,
                    ..Table::default()
                });
                last_paragraph = None;
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(t) = table.as_mut() {
                    t.cells.push(clean(&t.cell));
                    t.cell.clear();
                }
            }
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.rows.push(t.cells.join(" | "));
                    t.cells.clear();
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(Table { rows, start, .. }) = table.take() {
                    let text = rows.join("\n");
                    guide.sections[section].prose.push(text.clone());
                    guide.items.push(Item {
                        section,
                        ordinal: 0,
                        kind: ItemKind::Table,
                        text,
                        span: start..range.end,
                        lead: None,
                        holds_fence: false,
                    });
                }
            }
            Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
            Event::End(TagEnd::BlockQuote(_)) => quote_depth = quote_depth.saturating_sub(1),
            Event::Start(Tag::Paragraph) if open.is_empty() => paragraph = Some(String::new()),
            Event::End(TagEnd::Paragraph) if open.is_empty() => {
                if let Some(p) = paragraph.take() {
                    let p = clean(&p);
                    if !p.is_empty() {
                        guide.sections[section].prose.push(p.clone());
                        last_paragraph = (quote_depth == 0).then_some(p);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                push_text(
                    &t,
                    &mut heading,
                    &mut fence,
                    &mut table,
                    &mut open,
                    &mut guide,
                    &mut paragraph,
                );
            }
            Event::SoftBreak | Event::HardBreak => {
                push_text(
                    " ",
                    &mut heading,
                    &mut fence,
                    &mut table,
                    &mut open,
                    &mut guide,
                    &mut paragraph,
                );
            }
            Event::Rule => last_paragraph = None,
            _ => {}
        }
    }
    number_items(&mut guide);
    guide
}

/// Inline text goes to whatever is open, innermost first.
#[allow(clippy::too_many_arguments)]
fn push_text(
    t: &str,
    heading: &mut Option<(u8, String, Range<usize>)>,
    fence: &mut Option<(String, String, usize)>,
    table: &mut Option<Table>,
    open: &mut [OpenItem],
    guide: &mut Guide,
    paragraph: &mut Option<String>,
) {
    if let Some((_, body, _)) = fence.as_mut() {
        body.push_str(t);
    } else if let Some((_, title, _)) = heading.as_mut() {
        title.push_str(t);
    } else if let Some(table) = table.as_mut() {
        table.cell.push_str(t);
    } else if let Some(top) = open.last() {
        if top.collecting {
            guide.items[top.index].text.push_str(t);
        }
    } else if let Some(p) = paragraph.as_mut() {
        p.push_str(t);
    }
}

fn add_section(guide: &mut Guide, level: u8, title: &str, span: Range<usize>) {
    let parent = (0..guide.sections.len())
        .rev()
        .find(|&i| guide.sections[i].level < level);
    let mut path = parent.map_or_else(Vec::new, |p| guide.sections[p].path.clone());
    path.push(heading_key(title));
    guide.sections.push(Section {
        level,
        title: clean(title),
        path,
        parent,
        span,
        prose: Vec::new(),
    });
}

fn number_items(guide: &mut Guide) {
    let mut counts = vec![0usize; guide.sections.len()];
    for item in &mut guide.items {
        counts[item.section] += 1;
        item.ordinal = counts[item.section];
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;

//! What a runbook's shell commands need before the day, read from their text (pure): the
//! programs they call (first word of each command in a list or pipeline) and the environment
//! variables they read without a default and without setting them first.

use std::collections::{BTreeMap, BTreeSet};

use crate::runbook::{Actuator, RollbackAction, Runbook, SourceSpec, StepKind, template};

/// Shell builtins and keywords: nothing to find on `PATH`.
const BUILTINS: &[&str] = &[
    ".", ":", "[", "[[", "]]", "{", "}", "!", "alias", "bg", "break", "case", "cd", "command",
    "continue", "declare", "do", "done", "echo", "elif", "else", "esac", "eval", "exec", "exit",
    "export", "false", "fg", "fi", "for", "function", "getopts", "hash", "if", "in", "jobs",
    "kill", "let", "local", "printf", "pwd", "read", "readonly", "return", "select", "set",
    "shift", "source", "test", "then", "time", "trap", "true", "type", "typeset", "ulimit",
    "umask", "unalias", "unset", "until", "wait", "while",
];
/// Keywords after which the next word is a command (`then kubectl …`, `! grep …`).
const PREFIXES: &[&str] = &[
    "then", "do", "else", "elif", "if", "while", "until", "!", "{", "time", "exec", "command",
];
/// Set by the shell or by login on every machine the cockpit runs on: not worth a line.
const SHELL_SET: &[&str] = &[
    "HOME",
    "PATH",
    "PWD",
    "OLDPWD",
    "USER",
    "SHELL",
    "RANDOM",
    "LINENO",
    "SECONDS",
    "IFS",
    "HOSTNAME",
    "UID",
    "PPID",
    "BASH_SOURCE",
    "FUNCNAME",
];

/// Every shell command of the runbook, with its `${VAR}` templates filled: steps, rollback
/// steps (phase and emergency), command sources and the traffic actuator and read-back.
pub fn commands(book: &Runbook) -> Vec<String> {
    let mut raw: Vec<&str> = Vec::new();
    for (_, step) in book.steps() {
        if let StepKind::Command { run, .. } = &step.kind {
            raw.push(run);
        }
    }
    let rollbacks = book.phases.iter().flat_map(|p| p.rollback.iter());
    for step in rollbacks.chain(book.rollback.steps.iter()) {
        if let RollbackAction::Run { command, .. } = &step.action {
            raw.push(command);
        }
    }
    for source in &book.sources {
        // Sources are expanded at validation already.
        if let SourceSpec::Command { command, .. } = &source.spec {
            raw.push(command);
        }
    }
    if let Some(t) = &book.traffic {
        if let Actuator::Command(set) = &t.set {
            raw.push(set);
        }
        raw.extend(t.get.as_deref());
    }
    raw.iter()
        .map(|c| template::expand(c, &book.vars))
        .collect()
}

/// The programs a command runs, by name (paths and `$VAR` words are left out: they are the
/// runbook's own scripts or chosen at run time).
pub fn programs(command: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for segment in segments(&without_heredocs(command)) {
        // Leading assignments and keywords that introduce a command are skipped.
        let word = segment
            .split_whitespace()
            .map(unquote)
            .find(|w| !is_assignment(w) && !PREFIXES.contains(&w.as_str()));
        let Some(w) = word else { continue };
        if matches!(w.as_str(), "for" | "case" | "select" | "in" | "function")
            || BUILTINS.contains(&w.as_str())
            || w.contains(['$', '/', '`', '=', '<', '>', '*'])
            || w.starts_with(|c: char| c.is_ascii_digit() || c == '#' || c == '-')
            || w.ends_with(')')
            || w.is_empty()
        {
            continue;
        }
        out.insert(w);
    }
    out
}

/// Environment variables a command reads with no default (`${X:-d}` has one) that it does
/// not set itself (`X=…`, `for X in`, `read X`, `export X=…`).
pub fn env_needed(command: &str, env: &BTreeMap<String, String>) -> BTreeSet<String> {
    let refs = crate::app::actions::env_refs(command, env, &[]);
    refs.into_iter()
        .map(|(name, _)| name)
        .filter(|name| {
            !SHELL_SET.contains(&name.as_str())
                && !command.contains(&format!("${{{name}:-"))
                && !command.contains(&format!("${{{name}-"))
                && !sets(command, name)
        })
        .collect()
}

fn sets(command: &str, name: &str) -> bool {
    let assigns = command.match_indices(&format!("{name}=")).any(|(at, _)| {
        command[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == ';' || c == '(' || c == '&' || c == '|')
    });
    assigns
        || command.contains(&format!("for {name} "))
        || command
            .lines()
            .any(|l| l.contains("read ") && l.split_whitespace().any(|w| w == name))
}

/// `cat > f <<EOF … EOF`: the heredoc's lines are data, not commands.
fn without_heredocs(command: &str) -> String {
    let mut out = String::new();
    let mut until: Option<String> = None;
    for line in command.lines() {
        if let Some(end) = &until {
            if line.trim() == end {
                until = None;
            }
            continue;
        }
        let line = without_comment(line);
        out.push_str(line);
        out.push('\n');
        if let Some(at) = line.find("<<") {
            let word: String = line[at + 2..]
                .trim_start_matches('-')
                .trim()
                .chars()
                .take_while(|c| !c.is_whitespace())
                .filter(|c| *c != '\'' && *c != '"')
                .collect();
            if !word.is_empty() {
                until = Some(word);
            }
        }
    }
    out
}

/// A line up to an unquoted `#` that starts a word (a comment may hold quotes and parentheses).
fn without_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (at, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return &line[..at],
            _ => {}
        }
        prev = c;
    }
    line
}

/// Splits at unquoted `|`, `||`, `&&`, `&`, `;`, newlines and parentheses (a `\` newline joins;
/// `2>&1` and `&>` are redirections, not separators).
fn segments(command: &str) -> Vec<String> {
    let command = command.replace("\\\n", " ");
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for c in command.chars() {
        let separator = !single
            && !double
            && (matches!(c, '|' | ';' | '\n' | '(' | ')' | '`')
                || (c == '&' && prev != '>' && prev != '<'));
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => {}
        }
        if separator {
            out.push(std::mem::take(&mut current));
        } else if prev == ')' && current.is_empty() && !c.is_whitespace() {
            // `$(date).tar.gz`: the rest of a word after a substitution, not a command.
            current.push('#');
            current.push(c);
        } else if !(c == '>' && prev == '&') {
            current.push(c);
        }
        prev = c;
    }
    out.push(current);
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

fn unquote(word: &str) -> String {
    word.trim_matches(|c| c == '"' || c == '\'').to_string()
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progs(command: &str) -> Vec<String> {
        programs(command).into_iter().collect()
    }

    #[test]
    fn first_word_of_each_command_in_lists_and_pipelines() {
        assert_eq!(
            progs(
                "kubectl get pods | grep -c Running && psql -c 'select 1; select 2' || curl -f x"
            ),
            ["curl", "grep", "kubectl", "psql"]
        );
        assert_eq!(
            progs("set -e\nFOO=1 aws s3 ls 2>&1; cd /tmp; ./local.sh; $TOOL x; /usr/bin/env"),
            ["aws"]
        );
        assert_eq!(
            progs("if [ -f x ]; then docker ps; else echo no; fi"),
            ["docker"]
        );
        assert_eq!(
            progs("aws x --value=$(if [ 1 -ge 100 ]; then echo green; fi)"),
            ["aws"]
        );
        assert_eq!(
            progs("cat > m.txt <<EOF\nBackup date: now\nEOF\ngzip m.txt # compress it"),
            ["cat", "gzip"]
        );
        assert_eq!(progs("tar -czf a \\\n  data/ | wc -l"), ["tar", "wc"]);
        assert_eq!(
            progs("# (added) the guide's notes\ntar -czf b_$(date +%Y).tar.gz d # it's done"),
            ["date", "tar"]
        );
    }

    #[test]
    fn env_needed_leaves_out_defaults_and_what_the_command_sets() {
        let env = BTreeMap::new();
        let needed = |c: &str| env_needed(c, &env).into_iter().collect::<Vec<_>>();
        assert_eq!(
            needed("psql -h $DB_HOST -U ${DB_USER}"),
            ["DB_HOST", "DB_USER"]
        );
        assert!(needed("echo ${REGION:-eu-west-1} $HOME").is_empty());
        assert!(needed("DIR=/tmp/x; mkdir \"$DIR\"; for f in a b; do echo $f; done").is_empty());
    }
}

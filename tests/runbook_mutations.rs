//! Mutated runbooks (byte flips, truncations, inserted control bytes and escape sequences)
//! never panic the validator, every error is located `file:line:col`, and nothing printed
//! holds a control byte but `\n`: a runbook cannot drive the terminal through `validate`.
//! Seeded: a failure names its case, and the same seed gives the same cases.

mod support;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use flightdeck::cli::validate::Shown;
use flightdeck::runbook;

const CASES: usize = 20_000;

/// xorshift64*: small, deterministic, good enough to pick positions and bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What a hostile or damaged runbook may hold: raw controls and whole terminal sequences.
const INSERTS: &[&[u8]] = &[
    b"\x1b",
    b"\x07",
    b"\x00",
    b"\x08",
    b"\r",
    b"\x1b[2J",
    b"\x1b[31m",
    b"\x1b]0;PWNED\x07",
    b"\x1b]52;c;cm0gLXJmIH4K\x07",
    b"\x1bP1$r\x1b\\",
    "\u{9b}2J".as_bytes(),
    "\u{202e}".as_bytes(),
    b"\"",
    b"\n",
    b"[",
    b"=",
];

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 if !bytes.is_empty() => {
                let at = at.min(bytes.len() - 1);
                bytes[at] ^= 1 << rng.below(8);
            }
            1 => bytes.truncate(at),
            _ => {
                let insert = INSERTS[rng.below(INSERTS.len())];
                bytes.splice(at..at, insert.iter().copied());
            }
        }
    }
    bytes
}

fn runbooks() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runbooks");
    let mut books: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.display().to_string(), fs::read(&p).unwrap()))
        .collect();
    books.sort();
    assert_eq!(books.len(), 6, "the six runbooks in {}", dir.display());
    books
}

/// Each `error:`/`warning:` is followed by a `--> PATH:LINE:COL` line.
fn every_finding_is_located(out: &str, path: &str) -> bool {
    let lines: Vec<&str> = out.lines().collect();
    let findings = lines
        .iter()
        .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
        .count();
    let located = lines
        .iter()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .filter_map(|at| at.strip_prefix(path)?.strip_prefix(':'))
        .filter(|at| {
            at.split_once(':').is_some_and(|(line, col)| {
                line.parse::<usize>().is_ok_and(|n| n > 0)
                    && col.parse::<usize>().is_ok_and(|n| n > 0)
            })
        })
        .count();
    findings == located
}

#[test]
fn mutated_runbooks_never_panic_and_print_no_control_bytes() {
    let books = runbooks();
    let mut rng = Rng(0x5eed_f11e_d0c4_2026);
    let started = Instant::now();
    let mut rejected = 0;
    for case in 0..CASES {
        let (path, original) = &books[case % books.len()];
        let bytes = mutate(&mut rng, original);
        let shown = catch_unwind(AssertUnwindSafe(|| {
            Shown::of(path, &runbook::from_bytes(path, bytes.clone()))
        }))
        .unwrap_or_else(|_| panic!("case {case} ({path}) panicked"));
        let out = format!("{}{}", shown.stdout, shown.stderr);
        if let Some(bad) = out.chars().find(|c| *c != '\n' && c.is_control()) {
            panic!("case {case} ({path}) prints control {bad:?}:\n{out}");
        }
        assert!(
            every_finding_is_located(&out, path),
            "case {case} ({path}): a finding without file:line:col:\n{out}"
        );
        if shown.stdout.is_empty() {
            rejected += 1;
        }
    }
    // The mutations must actually break runbooks, or the test proves nothing.
    assert!(rejected > CASES / 2, "only {rejected} of {CASES} rejected");
    eprintln!(
        "{CASES} mutated runbooks, {rejected} rejected, in {:?}",
        started.elapsed()
    );
}

#[test]
fn validate_prints_no_escape_from_a_hostile_runbook() {
    let dir = std::env::temp_dir().join(format!("fd-hostile-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let demo =
        fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runbooks/demo.toml"))
            .unwrap();
    // An OSC/CSI payload as a value, and a raw ESC in a comment.
    let payload = demo.replacen(
        "planned = \"2m\"",
        "planned = \"\\u001b]0;PWNED\\u0007\\u001b]52;c;cm0gLXJmIH4K\\u0007\\u001b[2J\"",
        1,
    );
    let comment = format!("# \x1b[2J\x1b]0;PWNED\x07 comment\n{demo}");
    fs::write(dir.join("payload.toml"), payload).unwrap();
    fs::write(dir.join("comment.toml"), comment).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("validate")
        .arg(dir.join("payload.toml"))
        .arg(dir.join("comment.toml"))
        .output()
        .unwrap();
    fs::remove_dir_all(&dir).ok();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("planned"), "{stderr}");
    for (name, byte) in [("ESC", 0x1b), ("BEL", 0x07)] {
        assert!(
            !out.stderr.contains(&byte) && !out.stdout.contains(&byte),
            "{name} reaches the terminal:\n{stderr}"
        );
    }
    assert!(stderr.contains("\\e]0;PWNED\\u{7}\\e]52;"), "{stderr}");
    assert!(
        stderr.contains("1 | # \\e[2J\\e]0;PWNED\\u{7} comment"),
        "{stderr}"
    );
}

#[test]
fn status_prints_a_hostile_unit_and_label_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let sources = r#"
[[source]]
id = "lag"
label = "lag \u001b[2J\u001b]0;PWNED\u0007"
kind = "command"
command = "echo 4.2"
unit = "\u001b]52;c;cm0gLXJmIH4K\u0007"
"#;
    let path = dir.path().join("status.toml");
    fs::write(&path, support::runbook_text("hostile", sources)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("status")
        .arg(&path)
        .env("FLIGHTDECK_DATA_DIR", dir.path().join("data"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .unwrap();
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, byte) in [("ESC", 0x1b), ("BEL", 0x07)] {
        assert!(
            !out.stderr.contains(&byte) && !out.stdout.contains(&byte),
            "{name} reaches the terminal:\n{shown}"
        );
    }
    // Shown, written out: in the table (the value's unit) or in a diagnostic refusing it.
    assert!(shown.contains("\\e]52;c;"), "{shown}");
}

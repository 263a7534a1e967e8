//! `flightdeck import GUIDE.md [--toml]`: a sidecar skeleton (or a TOML runbook) for a guide.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::runbook::markdown;
use crate::telemetry::sanitize::visible;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The Markdown guide.
    pub guide: PathBuf,
    /// Write a standalone TOML runbook instead of a sidecar (with the sidecar's bindings, if
    /// one is beside the guide or given by --with).
    #[arg(long)]
    pub toml: bool,
    /// The sidecar to use with --toml or --refresh (default: GUIDE.flightdeck.toml beside the guide).
    #[arg(long)]
    pub with: Option<PathBuf>,
    /// Where to write (default: GUIDE.flightdeck.toml, or GUIDE.toml with --toml); `-` for stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// After reading what changed in the guide: set the sidecar's guide hash and each item's
    /// fingerprint to what the guide reads now (the sidecar is rewritten in place).
    #[arg(long, conflicts_with = "toml")]
    pub refresh: bool,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

fn read(path: &Path) -> Result<String, ExitCode> {
    std::fs::read_to_string(path).map_err(|e| {
        eprintln!("cannot read {}: {e}", visible(&path.display().to_string()));
        ExitCode::from(2)
    })
}

pub fn run(args: ImportArgs) -> ExitCode {
    match write(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn write(args: ImportArgs) -> Result<(), ExitCode> {
    let guide_path = args.guide.display().to_string();
    let guide = read(&args.guide)?;
    if args.refresh {
        let side_path = args
            .with
            .clone()
            .unwrap_or_else(|| markdown::sidecar_path(&args.guide));
        let side = read(&side_path)?;
        let shown = side_path.display().to_string();
        let text = markdown::refresh(&guide_path, &guide, &shown, &side).map_err(|invalid| {
            eprintln!("{invalid}");
            ExitCode::from(2)
        })?;
        std::fs::write(&side_path, text).map_err(|e| {
            eprintln!("cannot write {}: {e}", visible(&shown));
            ExitCode::from(1)
        })?;
        eprintln!("refreshed {}", visible(&shown));
        return Ok(());
    }
    let (text, default_out) = if args.toml {
        let side_path = args
            .with
            .clone()
            .unwrap_or_else(|| markdown::sidecar_path(&args.guide));
        let side = match (side_path.exists(), args.with.is_some()) {
            (true, _) | (false, true) => Some((side_path.display().to_string(), read(&side_path)?)),
            _ => None,
        };
        let text = markdown::import_toml(
            &guide_path,
            &guide,
            side.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
        )
        .map_err(|invalid| {
            eprintln!("{invalid}");
            ExitCode::from(2)
        })?;
        (text, args.guide.with_extension("toml"))
    } else {
        let text = markdown::import_skeleton(&guide_path, &guide);
        let todos = markdown::import::todos(&text);
        eprintln!(
            "{} place(s) need a person (decision = \"todo\"):",
            todos.len()
        );
        for t in &todos {
            eprintln!("  {}", visible(t));
        }
        (text, markdown::sidecar_path(&args.guide))
    };
    let out = args.out.unwrap_or(default_out);
    if out.as_os_str() == "-" {
        print!("{text}");
        return Ok(());
    }
    if out.exists() && !args.force {
        eprintln!(
            "{} exists: not overwritten (--force overwrites, --out - prints)",
            visible(&out.display().to_string())
        );
        return Err(ExitCode::from(2));
    }
    std::fs::write(&out, text).map_err(|e| {
        eprintln!("cannot write {}: {e}", visible(&out.display().to_string()));
        ExitCode::from(1)
    })?;
    eprintln!("wrote {}", visible(&out.display().to_string()));
    Ok(())
}

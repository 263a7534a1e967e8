//! Generated from the clap definition, so they cannot drift from the real flags: shell
//! completions (`flightdeck completions SHELL`) and man pages (`flightdeck man`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use super::Cli;

pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    // Into a buffer first: clap_complete panics on a failed write, e.g. `| head`.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "flightdeck", &mut script);
    print(&script)
}

/// The top page (every subcommand listed) to stdout, or every page into `dir`.
pub fn man(dir: Option<&Path>) -> ExitCode {
    let Some(dir) = dir else {
        let mut page = Vec::new();
        return match clap_mangen::Man::new(Cli::command()).render(&mut page) {
            Ok(()) => print(&page),
            Err(e) => fail("the man page", &e),
        };
    };
    match std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(Cli::command(), dir))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("man pages into {}", dir.display()), &e),
    }
}

/// Writes to stdout; a reader that went away (`| head`) is not an error worth a message.
fn print(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => fail("to stdout", &e),
        _ => ExitCode::SUCCESS,
    }
}

fn fail(what: &str, e: &std::io::Error) -> ExitCode {
    eprintln!("error: cannot write {what}: {e}");
    ExitCode::from(1)
}

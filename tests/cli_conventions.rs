//! What a Unix tool is expected to have, checked on the real binary: shell completions, a man
//! page, `--version` with the commit, and the config file (its errors, and its defaults reaching
//! `status` and `run`). Each run gets its own config and data dirs.

mod support;

use std::path::Path;

use flightdeck::app::{Effect, Key, Layer, Msg};
use flightdeck::config::Config;
use support::cockpit::{Cockpit, Dirs};
use support::http_server::{Reply, Server};

/// Every subcommand, as a person types it.
const SUBCOMMANDS: &[&str] = &[
    "run",
    "watch",
    "runs",
    "validate",
    "status",
    "check",
    "end",
    "report",
    "journal",
    "demo",
    "completions",
    "man",
];

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ok(dirs: &Dirs, args: &[&str]) -> String {
    let out = dirs.command(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn completions_for_each_shell_know_every_subcommand() {
    let dirs = Dirs::new();
    for (shell, marker) in [
        ("bash", "complete -F _flightdeck"),
        ("zsh", "#compdef flightdeck"),
        ("fish", "complete -c flightdeck"),
    ] {
        let script = ok(&dirs, &["completions", shell]);
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        assert!(script.len() > 2000, "{shell}: {} bytes", script.len());
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} script lacks `{sub}`");
        }
        // Options of subcommands too, not just their names.
        assert!(script.contains("new-run"), "{shell} lacks run's --new-run");
    }
}

/// The bash script, loaded into a real bash, completes a subcommand and a flag.
#[test]
fn bash_completes_subcommands_and_flags() {
    let complete = |words: &str, cword: usize| -> String {
        let script = format!(
            "source <({bin} completions bash); COMP_WORDS=({words}); COMP_CWORD={cword}; \
             _flightdeck flightdeck \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; \
             echo \"${{COMPREPLY[@]}}\"",
            bin = env!("CARGO_BIN_EXE_flightdeck")
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &script])
            .output()
            .expect("bash");
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).trim().to_string()
    };
    assert_eq!(complete("flightdeck st", 1), "status");
    assert_eq!(complete("flightdeck run --reh", 2), "--rehearsal");
}

#[test]
fn unknown_shell_is_bad_input() {
    let dirs = Dirs::new();
    let out = dirs.command(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn man_page_has_name_synopsis_and_every_subcommand() {
    let dirs = Dirs::new();
    let page = ok(&dirs, &["man"]);
    for section in [
        ".TH flightdeck 1",
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(section), "no `{section}` in:\n{page}");
    }
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("flightdeck\\-{sub}(1)")), "no {sub}");
    }
}

#[test]
fn man_dir_gets_a_page_per_subcommand() {
    let dirs = Dirs::new();
    let out = dirs.data.path().join("man1");
    ok(&dirs, &["man", "--dir", out.to_str().unwrap()]);
    for sub in SUBCOMMANDS {
        let page = std::fs::read_to_string(out.join(format!("flightdeck-{sub}.1")))
            .unwrap_or_else(|e| panic!("flightdeck-{sub}.1: {e}"));
        assert!(page.contains(".SH SYNOPSIS"), "{sub}");
    }
    let run = std::fs::read_to_string(out.join("flightdeck-run.1")).unwrap();
    assert!(run.contains("rehearsal"), "run's page lacks its flags");
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let dirs = Dirs::new();
    let version = ok(&dirs, &["--version"]);
    let git = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    let commit = match git {
        Ok(out) if out.status.success() => stdout(&out).trim().to_string(),
        _ => "unknown".to_string(),
    };
    assert_eq!(
        version.trim(),
        format!("flightdeck {} ({commit})", env!("CARGO_PKG_VERSION"))
    );
}

/// Writes `config.toml`, runs `status`, `run` and `demo`, and expects each to exit 2 with `where` and `what` on stderr.
fn config_refused(config: &str, at: &str, what: &str) {
    let dirs = Dirs::new();
    let path = dirs.config.path().join("config.toml");
    std::fs::write(&path, config).unwrap();
    for args in [
        &["status", "runbooks/demo.toml"][..],
        &["run", "runbooks/demo.toml"],
        &["demo"],
    ] {
        let command = args[0];
        let out = dirs.command(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command}: {err}");
        let expected = format!("{}:{at}: ", path.display());
        assert!(
            err.contains(&expected),
            "{command}: no {expected:?} in {err}"
        );
        assert!(err.contains(what), "{command}: no {what:?} in {err}");
        assert!(
            stdout(&out).is_empty(),
            "{command} went on: {}",
            stdout(&out)
        );
    }
}

#[test]
fn a_key_bound_twice_is_refused_with_its_place() {
    config_refused(
        "[keys]\nquit = \"x\"\nskip = \"x\"\n",
        "3:1",
        "`x` is bound to both `quit` and `skip`",
    );
    config_refused(
        "[keys]\nquit = \"n\"\n",
        "2:1",
        "`n` for `quit` is already `note`'s key",
    );
}

#[test]
fn an_unknown_command_or_key_is_refused() {
    config_refused(
        "theme = \"light\"\n[keys]\nrollbak = \"F\"\n",
        "3:1",
        "unknown command `rollbak` (did you mean `rollback`?)",
    );
    config_refused("[keys]\nquit = \"ctl-q\"\n", "2:1", "unknown key `ctl-q`");
}

#[test]
fn bad_toml_is_refused_with_line_and_column() {
    config_refused("theme = \"light\"\nascii = yes\n", "2:9", "");
    config_refused("colour = \"red\"\n", "1:1", "unknown field `colour`");
}

#[test]
fn an_unknown_theme_from_the_config_names_the_file() {
    let dirs = Dirs::new();
    let path = dirs.config.path().join("config.toml");
    std::fs::write(&path, "theme = \"nosuch\"\n").unwrap();
    let out = dirs.command(&["run", "runbooks/demo.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no theme `nosuch`"), "{err}");
    assert!(err.contains(&path.display().to_string()), "{err}");
}

/// A CloudWatch source with no region of its own, asking a local server that records each
/// request: its SigV4 signature names the access key (so the profile) and the region used.
#[test]
fn status_takes_profile_and_region_from_the_config_unless_given() {
    let server = Server::start(|_| Reply::status(400, "no"));
    let dirs = Dirs::new();
    let aws = dirs.config.path().join("aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[from-config]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n\
         [from-flag]\naws_access_key_id = AKIDFLAG\naws_secret_access_key = s\n",
    )
    .unwrap();
    std::fs::write(aws.join("config"), "").unwrap();
    std::fs::write(
        dirs.config.path().join("config.toml"),
        "profile = \"from-config\"\nregion = \"eu-west-3\"\n",
    )
    .unwrap();
    let runbook = dirs.data.path().join("aws.toml");
    let source = "[[source]]\nid = 'lag'\nkind = 'cloudwatch'\nnamespace = 'AWS/DMS'\n\
                  metric = 'CDCLatencyTarget'\ntimeout = '2s'\n";
    std::fs::write(&runbook, support::runbook_text("aws", source)).unwrap();
    let rb = runbook.to_str().unwrap();
    let signed = |args: &[&str]| -> String {
        let before = server.requests().len();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"))
            .args(args)
            .env("FLIGHTDECK_DATA_DIR", dirs.data.path())
            .env("FLIGHTDECK_CONFIG_DIR", dirs.config.path())
            .env("HOME", dirs.data.path())
            .env("AWS_SHARED_CREDENTIALS_FILE", aws.join("credentials"))
            .env("AWS_CONFIG_FILE", aws.join("config"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", server.url(""))
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env_remove("AWS_PROFILE")
            .env_remove("FLIGHTDECK_AWS_PROFILE")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .output()
            .unwrap();
        let requests = server.requests();
        let request = requests
            .get(before)
            .unwrap_or_else(|| panic!("{args:?} sent no request; stdout:\n{}", stdout(&out)));
        request.header("authorization").unwrap_or("").to_string()
    };
    let auth = signed(&["status", rb]);
    assert!(auth.contains("Credential=AKIDCONFIG/"), "{auth}");
    assert!(auth.contains("/eu-west-3/monitoring/"), "{auth}");
    let auth = signed(&[
        "status",
        rb,
        "--profile",
        "from-flag",
        "--region",
        "ap-south-1",
    ]);
    assert!(auth.contains("Credential=AKIDFLAG/"), "{auth}");
    assert!(auth.contains("/ap-south-1/monitoring/"), "{auth}");
}

/// A runbook without sources, so the screen holds still.
fn quiet_runbook(dirs: &Dirs) -> String {
    let path = dirs.data.path().join("quiet.toml");
    std::fs::write(&path, support::runbook_text("Quiet runbook", "")).unwrap();
    path.to_str().unwrap().to_string()
}

/// The header row's background: the theme's `header` style.
fn header_background(c: &Cockpit) -> vt100::Color {
    c.with_screen(|s| s.cell(0, 1).unwrap().bgcolor())
}

#[test]
fn run_and_demo_take_theme_and_ascii_from_the_config_and_the_flag_wins() {
    let dirs = Dirs::new();
    std::fs::write(
        dirs.config.path().join("config.toml"),
        "theme = \"light\"\nascii = true\n",
    )
    .unwrap();
    let runbook = quiet_runbook(&dirs);
    let c = Cockpit::start(&dirs, &["run", &runbook], 80, 24);
    c.wait_for("Quiet runbook");
    // ASCII glyphs: an open manual step is `[ ]`, not `○`.
    c.wait_for("[ ]");
    assert!(!c.contents().contains('○'), "{}", c.contents());
    // light.toml's header is on lightblue (ANSI 12), dark.toml's on blue (ANSI 4).
    assert_eq!(header_background(&c), vt100::Color::Idx(12));
    c.quit();

    let c = Cockpit::start(&dirs, &["run", &runbook, "--theme", "dark"], 80, 24);
    c.wait_for("Quiet runbook");
    assert_eq!(header_background(&c), vt100::Color::Idx(4));
    c.quit();

    let c = Cockpit::start(&dirs, &["demo"], 100, 30);
    c.wait_for("DEMO");
    c.wait_for("[ ]");
    assert_eq!(header_background(&c), vt100::Color::Idx(12));
    c.quit();
}

/// The config's keys on the app itself: on the main screen the user's key does the command and
/// the old key does nothing; in a text field every letter is itself.
#[test]
fn key_overrides_move_commands_but_a_text_field_types_every_letter() {
    let config = Config::parse("[keys]\nquit = \"x\"\n", Path::new("config.toml")).unwrap();
    let mut app = support::fresh_app();
    app.keys = config.keys;
    let press =
        |app: &mut flightdeck::app::App, key: Key| -> Vec<Effect> { app.update(Msg::Key(key)) };
    assert!(press(&mut app, Key::Char('q')).is_empty());
    press(&mut app, Key::Char('n'));
    for c in "qx".chars() {
        press(&mut app, Key::Char(c));
    }
    let Some(Layer::Prompt { input, .. }) = app.layers.last() else {
        panic!("no note prompt: {:?}", app.layers);
    };
    assert_eq!(input.text, "qx");
    press(&mut app, Key::Esc);
    assert!(press(&mut app, Key::Char('x')).contains(&Effect::Quit));
}

/// In the real cockpit: the footer and help name the moved key, the moved key quits, the old one
/// does not, and in a note `x` is a letter.
#[test]
fn a_moved_key_works_in_the_cockpit() {
    let dirs = Dirs::new();
    let config = dirs.config.path().join("config.toml");
    std::fs::write(config, "[keys]\nquit = \"x\"\ndown = \"ctrl-n\"\n").unwrap();
    let runbook = quiet_runbook(&dirs);
    let mut c = Cockpit::start(&dirs, &["run", &runbook], 80, 24);
    c.wait_for("Quiet runbook");
    c.wait_for("x quit");
    c.send("?");
    c.wait_for("x         quit (the run stays open");
    c.wait_for("^N/k      move down / up");
    c.send("\x1b");
    c.wait_gone("move down / up");
    let still_running = |c: &Cockpit, why: &str| {
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(c.with_screen(|s| s.alternate_screen()), "{why}");
    };
    c.send("q");
    still_running(&c, "q still quits");
    c.send("n");
    c.wait_for("Note");
    c.send("x");
    still_running(&c, "x typed into a note quit");
    c.send("\x1b");
    c.wait_gone("Note");
    c.send("x");
    assert_eq!(c.wait_exit(std::time::Duration::from_secs(15)), 0);
}

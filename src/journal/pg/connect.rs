//! Connecting to the team store: the database URL (libpq's `postgres://` form), TLS through
//! rustls on aws-lc-rs with the system's roots or a CA file (RDS ships its own bundle), and
//! time limits on everything: the connect, each statement (server side) and each round trip
//! (client side, so a black-holed network fails in seconds instead of at TCP's pace).

use std::path::PathBuf;
use std::time::Duration;

use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, Connection, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

/// The stream a connection runs over (TLS or not, as negotiated).
pub type Stream = <MakeRustlsConnect as tokio_postgres::tls::MakeTlsConnect<Socket>>::Stream;

/// The longest any one statement may run on the server.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(4);
/// The longest a round trip may take on this side before the connection counts as lost.
pub const ROUND_TRIP: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the team store is and how to reach it safely. The URL may carry a password; it is
/// never printed (see [`Target::redacted`]).
#[derive(Clone)]
pub struct Target {
    config: Config,
    /// `host:port/dbname` with no user or password: for headers, lists and errors.
    shown: String,
    /// Verify the server with these roots instead of the system's.
    ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Target({})", self.shown)
    }
}

/// Whether `text` names the team store rather than a local journal.
pub fn is_database_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

impl Target {
    /// Parses a `postgres://user:pass@host:port/db?sslmode=…&sslrootcert=…` URL. libpq's
    /// `verify-ca` and `verify-full` are accepted as `require`: with rustls, `require` always
    /// verifies the certificate and the host name. `ca_file` (the flag or the config file) wins
    /// over `sslrootcert`.
    pub fn parse(url: &str, ca_file: Option<PathBuf>) -> Result<Target, String> {
        if !is_database_url(url) {
            return Err("a database URL starts with postgres:// or postgresql://".into());
        }
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        let mut root = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("sslrootcert", file)) => root = Some(PathBuf::from(file)),
                Some(("sslmode", "verify-ca" | "verify-full")) => kept.push("sslmode=require"),
                _ => kept.push(pair),
            }
        }
        let cleaned = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config: Config = cleaned
            .parse()
            .map_err(|e| format!("the database URL does not parse: {e}"))?;
        let timeout_ms = STATEMENT_TIMEOUT.as_millis();
        config
            .options(format!(
                "-c statement_timeout={timeout_ms} -c lock_timeout={timeout_ms} -c idle_in_transaction_session_timeout={}",
                timeout_ms * 2
            ))
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives_idle(Duration::from_secs(10))
            .application_name("flightdeck");
        let shown = shown(&config);
        Ok(Target {
            config,
            shown,
            ca_file: ca_file.or(root),
        })
    }

    /// `host:port/db`: what the header and error messages name (never the password).
    pub fn redacted(&self) -> &str {
        &self.shown
    }

    /// Opens a connection. The caller drives the returned connection (it carries the
    /// notifications, see `listen`), or spawns it.
    pub async fn connect(&self) -> Result<(Client, Connection<Socket, Stream>), String> {
        let tls = self.tls()?;
        let connecting = self.config.connect(tls);
        match tokio::time::timeout(CONNECT_TIMEOUT + Duration::from_secs(1), connecting).await {
            Ok(Ok(pair)) => Ok(pair),
            Ok(Err(e)) => Err(format!("cannot connect to {}: {}", self.shown, why(&e))),
            Err(_) => Err(format!(
                "cannot connect to {}: no answer in {}s",
                self.shown,
                CONNECT_TIMEOUT.as_secs()
            )),
        }
    }

    fn tls(&self) -> Result<MakeRustlsConnect, String> {
        let mut roots = rustls::RootCertStore::empty();
        match &self.ca_file {
            Some(file) => {
                use rustls::pki_types::CertificateDer;
                use rustls::pki_types::pem::PemObject;
                let certs = CertificateDer::pem_file_iter(file)
                    .map_err(|e| format!("cannot read the CA file {}: {e}", file.display()))?;
                for cert in certs {
                    let cert = cert
                        .map_err(|e| format!("the CA file {} is not PEM: {e}", file.display()))?;
                    roots.add(cert).map_err(|e| {
                        format!(
                            "the CA file {} holds a bad certificate: {e}",
                            file.display()
                        )
                    })?;
                }
            }
            None if self.config.get_ssl_mode() != SslMode::Disable => {
                for cert in rustls_native_certs::load_native_certs().certs {
                    let _ = roots.add(cert);
                }
            }
            None => {}
        }
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }
}

fn shown(config: &Config) -> String {
    use tokio_postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

/// The server's message when there is one (`db error: …` says little), else the error.
pub fn why(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown_and_libpq_names_are_understood() {
        let t = Target::parse(
            "postgres://ops:s3cret@db.example:6543/cutover?sslmode=verify-full&sslrootcert=/etc/rds.pem",
            None,
        )
        .unwrap();
        assert_eq!(t.redacted(), "db.example:6543/cutover");
        assert!(!format!("{t:?}").contains("s3cret"));
        assert_eq!(
            t.ca_file.as_deref(),
            Some(std::path::Path::new("/etc/rds.pem"))
        );
        assert_eq!(t.config.get_ssl_mode(), SslMode::Require);
        let flag =
            Target::parse("postgres://h/db?sslrootcert=/a.pem", Some("/b.pem".into())).unwrap();
        assert_eq!(
            flag.ca_file.as_deref(),
            Some(std::path::Path::new("/b.pem"))
        );
        assert!(Target::parse("mysql://h/db", None).is_err());
        assert!(Target::parse("postgres://h/db?sslmode=sometimes", None).is_err());
    }
}

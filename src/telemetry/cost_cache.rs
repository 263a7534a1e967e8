//! The Cost Explorer answer cache: one JSON file per query in `<cache dir>/cost-cache/`, so a
//! restart within the interval (a dropped SSH session, a quick fix to the runbook) costs nothing.
//! Written atomically (a `tempfile` beside it, then renamed) with mode 0600; anything unreadable is
//! treated as absent, never as an error: the cache only ever saves money.

use std::fs::{self, DirBuilder};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::sample::{CostReport, Forecast, ForecastMethod};

/// Bumped when the file's meaning changes; older files are then refetched, not misread.
const VERSION: u32 = 1;

/// Our own files are a few hundred bytes; a huge one is not ours to load.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// What makes two polls the same question, as canonical JSON. Region, profile and endpoint say
/// who was asked: an answer from an emulator or another account must not stand in for this one.
pub fn query_key(
    metric: &str,
    group_by: &str,
    filter: &Option<(String, Vec<String>)>,
    region: Option<&str>,
    profile: Option<&str>,
    endpoint: Option<&str>,
) -> String {
    serde_json::json!({
        "metric": metric,
        "group_by": group_by,
        "filter": filter,
        "region": region,
        "profile": profile,
        "endpoint": endpoint,
    })
    .to_string()
}

/// `<cache_dir>/cost-cache/<sha-256 of the key>.json`.
pub fn path(cache_dir: &Path, key: &str) -> PathBuf {
    let hash = hex::encode(Sha256::digest(key.as_bytes()));
    cache_dir.join("cost-cache").join(format!("{hash}.json"))
}

/// Fresh: fetched less than one interval ago, in the same UTC month (a new month starts from
/// zero, so last month's total must not stand in for it), and not in the future (a clock that
/// went back cannot vouch for the age).
pub fn is_fresh(fetched_at: OffsetDateTime, now: OffsetDateTime, interval: Duration) -> bool {
    let (then, now) = (
        fetched_at.to_offset(time::UtcOffset::UTC),
        now.to_offset(time::UtcOffset::UTC),
    );
    same_month(then, now) && then <= now && (now - then) < interval
}

pub fn same_month(a: OffsetDateTime, b: OffsetDateTime) -> bool {
    let (a, b) = (
        a.to_offset(time::UtcOffset::UTC),
        b.to_offset(time::UtcOffset::UTC),
    );
    (a.year(), a.month()) == (b.year(), b.month())
}

#[derive(Serialize, Deserialize)]
struct Entry {
    version: u32,
    /// The full key, checked on load: the file name is only its hash.
    query: String,
    #[serde(with = "time::serde::rfc3339")]
    fetched_at: OffsetDateTime,
    report: Stored,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    month_to_date: f64,
    currency: String,
    forecast: Option<StoredForecast>,
    top: Vec<(String, f64)>,
}

#[derive(Serialize, Deserialize)]
struct StoredForecast {
    month_end: f64,
    method: StoredMethod,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredMethod {
    CostExplorer,
    Projection,
}

/// The cached answer for `key`, marked as from the cache and as of its fetch time; `None` when
/// there is none or it cannot be read (it is then simply refetched and overwritten). The budget
/// is not cached: the caller sets the runbook's current one.
pub fn load(file: &Path, key: &str) -> Option<CostReport> {
    let size = fs::metadata(file).ok()?.len();
    if size > MAX_FILE_BYTES {
        tracing::warn!(cache = %file.display(), size, "oversized cost cache file ignored");
        return None;
    }
    let bytes = fs::read(file).ok()?;
    let entry: Entry = match serde_json::from_slice(&bytes) {
        Ok(entry) => entry,
        Err(e) => {
            tracing::warn!(cache = %file.display(), "unreadable cost cache file ignored: {e}");
            return None;
        }
    };
    if entry.version != VERSION || entry.query != key {
        return None;
    }
    let r = entry.report;
    let finite = r.month_to_date.is_finite()
        && r.top.iter().all(|(_, v)| v.is_finite())
        && r.forecast.as_ref().is_none_or(|f| f.month_end.is_finite());
    if !finite {
        return None;
    }
    Some(CostReport {
        month_to_date: r.month_to_date,
        currency: r.currency,
        budget: None,
        forecast: r.forecast.map(|f| Forecast {
            month_end: f.month_end,
            method: match f.method {
                StoredMethod::CostExplorer => ForecastMethod::CostExplorer,
                StoredMethod::Projection => ForecastMethod::Projection,
            },
        }),
        top: r.top,
        as_of: entry.fetched_at,
        from_cache: true,
    })
}

/// Writes `report` as the answer for `key`, fetched at `report.as_of`: to a temporary file
/// first, then renamed over the old one, so a crash never leaves half a file to be read.
pub fn store(file: &Path, key: &str, report: &CostReport) -> std::io::Result<()> {
    let entry = Entry {
        version: VERSION,
        query: key.to_string(),
        fetched_at: report.as_of,
        report: Stored {
            month_to_date: report.month_to_date,
            currency: report.currency.clone(),
            forecast: report.forecast.map(|f| StoredForecast {
                month_end: f.month_end,
                method: match f.method {
                    ForecastMethod::CostExplorer => StoredMethod::CostExplorer,
                    ForecastMethod::Projection => StoredMethod::Projection,
                },
            }),
            top: report.top.clone(),
        },
    };
    let json = serde_json::to_vec_pretty(&entry).map_err(std::io::Error::other)?;
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    // A temporary file of its own beside the entry, renamed over it once whole: two sources
    // storing the same question at once each rename only their own complete file, and a failed
    // write leaves no partial entry (the temporary file is removed when dropped).
    let mut out = tempfile::Builder::new()
        .prefix(".entry-")
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)?;
    out.write_all(&json)?;
    out.as_file().sync_all()?;
    out.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use time::macros::datetime;

    fn report() -> CostReport {
        CostReport {
            month_to_date: 123.45,
            currency: "USD".into(),
            budget: Some(395.0),
            forecast: Some(Forecast {
                month_end: 300.5,
                method: ForecastMethod::Projection,
            }),
            top: vec![("Amazon EC2".into(), 100.0), ("Amazon S3".into(), 23.45)],
            as_of: datetime!(2026-12-05 21:30:00 UTC),
            from_cache: false,
        }
    }

    #[test]
    fn cost_cache_round_trips_as_from_cache_without_budget() {
        let dir = tempfile::tempdir().unwrap();
        let key = query_key(
            "UnblendedCost",
            "SERVICE",
            &None,
            Some("us-east-1"),
            None,
            None,
        );
        let file = path(dir.path(), &key);
        store(&file, &key, &report()).unwrap();
        let back = load(&file, &key).unwrap();
        assert_eq!(
            back,
            CostReport {
                budget: None,
                from_cache: true,
                ..report()
            }
        );
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(file.parent().unwrap(), dir.path().join("cost-cache"));
        let left: Vec<_> = fs::read_dir(file.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn cost_cache_ignores_corrupt_foreign_and_other_query_files() {
        let dir = tempfile::tempdir().unwrap();
        let key = query_key("UnblendedCost", "SERVICE", &None, None, None, None);
        let other = query_key("UnblendedCost", "TAG:team", &None, None, None, None);
        assert_ne!(path(dir.path(), &key), path(dir.path(), &other));
        let file = path(dir.path(), &key);
        assert_eq!(load(&file, &key), None, "missing");
        store(&file, &other, &report()).unwrap();
        assert_eq!(load(&file, &key), None, "holds another query");
        for garbage in [
            &b""[..],
            b"{",
            b"\x00\xff",
            b"[]",
            br#"{"version":1,"query":"x"}"#,
        ] {
            fs::write(&file, garbage).unwrap();
            assert_eq!(load(&file, &key), None, "{garbage:?}");
        }
        store(&file, &key, &report()).unwrap();
        let text = fs::read_to_string(&file).unwrap();
        fs::write(&file, text.replace("\"version\": 1", "\"version\": 99")).unwrap();
        assert_eq!(load(&file, &key), None, "another version");
    }

    #[test]
    fn cost_cache_freshness_is_one_interval_within_one_month() {
        let hour = Duration::from_secs(3600);
        let t = datetime!(2026-12-05 21:30:00 UTC);
        assert!(is_fresh(t, t, hour));
        assert!(is_fresh(t, t + time::Duration::minutes(59), hour));
        assert!(
            !is_fresh(t, t + time::Duration::minutes(60), hour),
            "a full interval old"
        );
        assert!(
            !is_fresh(t, t - time::Duration::minutes(1), hour),
            "from the future"
        );
        let late = datetime!(2026-12-31 23:50:00 UTC);
        assert!(
            !is_fresh(late, datetime!(2027-01-01 00:05:00 UTC), hour),
            "a new month starts from zero"
        );
        assert!(
            is_fresh(
                datetime!(2026-12-05 23:30:00 -05:00),
                datetime!(2026-12-06 04:40:00 UTC),
                hour
            ),
            "compared in UTC"
        );
    }
}

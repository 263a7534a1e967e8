//! The pure side of `cost_explorer` sources: the periods asked for, summing Cost Explorer's daily
//! groups into month to date and a top list, the month-end projection used when no forecast can be
//! had, and the wording of failures. No I/O, so every rule here is unit-tested on its own.

use std::collections::HashMap;

use aws_sdk_costexplorer::types::Metric;
use time::{Date, Month};

/// Groups kept for the cost panel: it has room for a handful of lines, not a bill.
pub const TOP_GROUPS: usize = 5;

/// Pages followed for one answer. Each page is billed, and a month of daily groups fits in a few
/// pages; more means something loops (a token handed back forever), so stop paying for it.
pub const MAX_PAGES: u32 = 20;

/// What a group without a value for the grouping tag is called on the panel.
pub const UNTAGGED: &str = "(untagged)";

/// The month-to-date query period `[start, end)`: the 1st of `today`'s month to tomorrow. End is
/// exclusive in Cost Explorer, so tomorrow includes today's partial spend; on the 1st this still
/// gives a one-day period instead of an empty (rejected) one.
pub fn month_to_date_period(today: Date) -> (Date, Date) {
    (today.replace_day(1).unwrap_or(today), tomorrow(today))
}

/// The forecast period `[today, 1st of next month)`: GetCostForecast rejects starts in the past.
pub fn forecast_period(today: Date) -> (Date, Date) {
    (today, first_of_next_month(today))
}

pub fn first_of_next_month(day: Date) -> Date {
    let (year, month) = match day.month() {
        Month::December => (day.year() + 1, Month::January),
        m => (day.year(), m.next()),
    };
    Date::from_calendar_date(year, month, 1).unwrap_or(day)
}

fn tomorrow(day: Date) -> Date {
    day.next_day().unwrap_or(day)
}

/// `2026-12-05`, the format Cost Explorer's `DateInterval` speaks.
pub fn iso(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

pub fn parse_iso(text: &str) -> Option<Date> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// An amount as Cost Explorer sends it (a decimal string). Anything else is refused rather than
/// read as zero: a wrong month-to-date would pass a budget gate.
pub fn parse_amount(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The GetCostForecast metric for a GetCostAndUsage metric; `None` for usage metrics, which
/// GetCostForecast does not forecast (they are projected without a billed attempt).
pub fn forecast_metric(metric: &str) -> Option<Metric> {
    Some(match metric {
        "UnblendedCost" => Metric::UnblendedCost,
        "BlendedCost" => Metric::BlendedCost,
        "AmortizedCost" => Metric::AmortizedCost,
        "NetUnblendedCost" => Metric::NetUnblendedCost,
        "NetAmortizedCost" => Metric::NetAmortizedCost,
        _ => return None,
    })
}

/// One group's amount on one day, as read from `ResultsByTime[].Groups[]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub day: Date,
    /// The group's first key: a service name, or `<tag key>$<value>` for tag grouping.
    pub key: String,
    pub amount: f64,
    pub unit: Option<String>,
}

/// Month to date and its breakdown, summed from all pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub month_to_date: f64,
    pub currency: String,
    /// Largest first, at most `TOP_GROUPS`.
    pub top: Vec<(String, f64)>,
    /// Spend on the days before today: complete days, the base of forecast and projection.
    pub complete_days: f64,
}

/// Sums every group of every day. Today's line is partial (Cost Explorer lags by hours), which
/// is why it is kept apart in `complete_days`.
pub fn summarize(lines: &[Line], today: Date, group_by: &str) -> Summary {
    let mut by_group: HashMap<String, f64> = HashMap::new();
    let (mut month_to_date, mut complete_days) = (0.0, 0.0);
    for line in lines {
        month_to_date += line.amount;
        if line.day < today {
            complete_days += line.amount;
        }
        *by_group
            .entry(group_label(&line.key, group_by))
            .or_default() += line.amount;
    }
    let mut top: Vec<(String, f64)> = by_group.into_iter().collect();
    // Ties by name so the panel does not reorder between identical answers.
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(TOP_GROUPS);
    let currency = lines
        .iter()
        .find_map(|l| l.unit.clone().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "USD".into());
    Summary {
        month_to_date,
        currency,
        top,
        complete_days,
    }
}

/// Cost Explorer names tag groups `<key>$<value>` and untagged spend `<key>$`; the panel
/// already says which tag it groups by, so only the value is shown.
pub fn group_label(key: &str, group_by: &str) -> String {
    let Some(tag) = group_by.strip_prefix("TAG:") else {
        return key.to_string();
    };
    match key
        .strip_prefix(tag)
        .and_then(|rest| rest.strip_prefix('$'))
    {
        Some("") => UNTAGGED.into(),
        Some(value) => value.to_string(),
        None => key.to_string(),
    }
}

/// The month-end projection when GetCostForecast gives nothing:
///
/// `month_to_date + (complete_days / (d - 1)) * (n - d)`
///
/// with `d` today's day of the month, `n` the month's length, `complete_days` the spend on days
/// 1..d-1 (today's figure is partial, so it does not set the rate, but it is already in month to
/// date). On the 1st no day is complete, so there is no rate: `None` rather than a guess. On the
/// last day nothing remains: the month to date.
pub fn project(month_to_date: f64, complete_days: f64, today: Date) -> Option<f64> {
    let d = u32::from(today.day());
    let n = u32::from(today.month().length(today.year()));
    if d <= 1 {
        return None;
    }
    let rate = complete_days / f64::from(d - 1);
    Some(month_to_date + rate * f64::from(n - d))
}

/// GetCostForecast covers today to the month's end; the days before today are known.
pub fn month_end_from_forecast(complete_days: f64, forecast_rest: f64) -> f64 {
    complete_days + forecast_rest
}

/// One short line for a refusal from Cost Explorer (or something answering in its place).
pub fn service_failure(code: Option<&str>, message: Option<&str>, status: Option<u16>) -> String {
    let detail = message.filter(|m| !m.is_empty());
    let with = |what: &str| match detail {
        Some(m) => format!("{what}: {m}"),
        None => what.to_string(),
    };
    match code {
        Some("AccessDeniedException") => {
            with("Cost Explorer denied access (needs ce:GetCostAndUsage)")
        }
        Some(
            "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch",
        ) => with("AWS rejected the credentials"),
        Some("ExpiredTokenException" | "ExpiredToken") => {
            with("AWS credentials expired (log in again, e.g. aws sso login)")
        }
        Some("DataUnavailableException") => "Cost Explorer has no data for this month yet".into(),
        Some("LimitExceededException" | "ThrottlingException") => {
            "Cost Explorer is throttling requests".into()
        }
        Some("BillExpirationException") => with("Cost Explorer cannot answer for this period"),
        Some(code) => with(&format!("Cost Explorer error {code}")),
        None => match status {
            Some(s @ (401 | 403)) => format!(
                "Cost Explorer refused the request (HTTP {s}): check credentials and permissions"
            ),
            Some(s) => format!("Cost Explorer answered HTTP {s}"),
            None => with("Cost Explorer refused the request"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn cost_periods_cover_the_month_to_tomorrow_and_today_to_month_end() {
        assert_eq!(
            month_to_date_period(date!(2026 - 12 - 05)),
            (date!(2026 - 12 - 01), date!(2026 - 12 - 06))
        );
        // The 1st: a one-day period, never start == end.
        assert_eq!(
            month_to_date_period(date!(2026 - 12 - 01)),
            (date!(2026 - 12 - 01), date!(2026 - 12 - 02))
        );
        // The last day: end is the 1st of the next month (and year).
        assert_eq!(
            month_to_date_period(date!(2026 - 12 - 31)),
            (date!(2026 - 12 - 01), date!(2027 - 01 - 01))
        );
        assert_eq!(
            forecast_period(date!(2026 - 12 - 31)),
            (date!(2026 - 12 - 31), date!(2027 - 01 - 01))
        );
        assert_eq!(
            forecast_period(date!(2028 - 02 - 10)),
            (date!(2028 - 02 - 10), date!(2028 - 03 - 01))
        );
        assert_eq!(iso(date!(2026 - 03 - 07)), "2026-03-07");
        assert_eq!(parse_iso("2026-03-07"), Some(date!(2026 - 03 - 07)));
        assert_eq!(parse_iso("2026-02-30"), None);
        assert_eq!(parse_iso("yesterday"), None);
    }

    #[test]
    fn cost_projection_on_an_ordinary_day_the_first_and_the_last() {
        // Day 5 of 31: 4 complete days cost 40 (10 a day), today so far 3, 26 days remain.
        assert_eq!(
            project(43.0, 40.0, date!(2026 - 12 - 05)),
            Some(43.0 + 260.0)
        );
        // The 1st: no complete day, no rate.
        assert_eq!(project(2.5, 0.0, date!(2026 - 12 - 01)), None);
        // The last day: nothing remains.
        assert_eq!(project(310.0, 300.0, date!(2026 - 12 - 31)), Some(310.0));
        // The 2nd of a 28-day February: rate 7 from one day, 26 days remain.
        assert_eq!(project(9.0, 7.0, date!(2027 - 02 - 02)), Some(9.0 + 182.0));
        // A leap February has 29 days.
        assert_eq!(
            project(8.0, 8.0, date!(2028 - 02 - 28)),
            Some(8.0 + 8.0 / 27.0)
        );
    }

    fn line(day: Date, key: &str, amount: f64) -> Line {
        Line {
            day,
            key: key.into(),
            amount,
            unit: Some("USD".into()),
        }
    }

    #[test]
    fn cost_summary_sums_all_days_ranks_groups_and_keeps_today_apart() {
        let today = date!(2026 - 12 - 03);
        let mut lines = vec![
            line(date!(2026 - 12 - 01), "Amazon EC2", 10.0),
            line(date!(2026 - 12 - 01), "Amazon S3", 1.0),
            line(date!(2026 - 12 - 02), "Amazon EC2", 12.0),
            line(date!(2026 - 12 - 02), "AWS Lambda", 0.5),
            line(date!(2026 - 12 - 03), "Amazon RDS", 4.0),
        ];
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            lines.push(line(date!(2026 - 12 - 02), name, 0.1 * (i + 1) as f64));
        }
        let s = summarize(&lines, today, "SERVICE");
        assert!((s.month_to_date - 28.1).abs() < 1e-9, "{}", s.month_to_date);
        assert!((s.complete_days - 24.1).abs() < 1e-9, "{}", s.complete_days);
        assert_eq!(s.currency, "USD");
        let names: Vec<&str> = s.top.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["Amazon EC2", "Amazon RDS", "Amazon S3", "AWS Lambda", "c"]
        );
        assert_eq!(s.top[0].1, 22.0);
    }

    #[test]
    fn cost_summary_of_nothing_is_zero_dollars() {
        let s = summarize(&[], date!(2026 - 12 - 01), "SERVICE");
        assert_eq!(
            s,
            Summary {
                month_to_date: 0.0,
                currency: "USD".into(),
                top: vec![],
                complete_days: 0.0
            }
        );
    }

    #[test]
    fn cost_tag_groups_show_the_value_and_untagged_spend() {
        assert_eq!(group_label("team$checkout", "TAG:team"), "checkout");
        assert_eq!(group_label("team$", "TAG:team"), UNTAGGED);
        assert_eq!(group_label("Amazon EC2", "SERVICE"), "Amazon EC2");
        assert_eq!(group_label("other$x", "TAG:team"), "other$x");
        let lines = [
            line(date!(2026 - 12 - 01), "team$", 1.0),
            line(date!(2026 - 12 - 01), "team$web", 2.0),
            line(date!(2026 - 12 - 02), "team$web", 2.0),
        ];
        let s = summarize(&lines, date!(2026 - 12 - 02), "TAG:team");
        assert_eq!(
            s.top,
            vec![("web".to_string(), 4.0), (UNTAGGED.to_string(), 1.0)]
        );
    }

    #[test]
    fn cost_amounts_refuse_garbage_instead_of_reading_zero() {
        assert_eq!(parse_amount("12.3456789"), Some(12.3456789));
        assert_eq!(parse_amount("-0.5"), Some(-0.5));
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("NaN"), None);
        assert_eq!(parse_amount("inf"), None);
        assert_eq!(parse_amount("12,5"), None);
    }

    #[test]
    fn cost_forecast_metrics_map_and_usage_is_not_forecast() {
        assert_eq!(
            forecast_metric("UnblendedCost"),
            Some(Metric::UnblendedCost)
        );
        assert_eq!(
            forecast_metric("NetAmortizedCost"),
            Some(Metric::NetAmortizedCost)
        );
        assert_eq!(forecast_metric("UsageQuantity"), None);
        assert_eq!(month_end_from_forecast(40.0, 270.5), 310.5);
    }

    #[test]
    fn cost_failures_read_as_one_plain_line() {
        assert_eq!(
            service_failure(Some("DataUnavailableException"), Some("x"), Some(400)),
            "Cost Explorer has no data for this month yet"
        );
        assert_eq!(
            service_failure(
                Some("AccessDeniedException"),
                Some("User: arn:aws:iam::1:user/op is not authorized"),
                Some(400)
            ),
            "Cost Explorer denied access (needs ce:GetCostAndUsage): User: arn:aws:iam::1:user/op is not authorized"
        );
        assert_eq!(
            service_failure(None, None, Some(403)),
            "Cost Explorer refused the request (HTTP 403): check credentials and permissions"
        );
        assert_eq!(
            service_failure(Some("ValidationException"), Some("bad metric"), Some(400)),
            "Cost Explorer error ValidationException: bad metric"
        );
        assert_eq!(
            service_failure(None, None, Some(500)),
            "Cost Explorer answered HTTP 500"
        );
    }
}

//! `prometheus` sources: an instant query through the HTTP API (`GET <url>/api/v1/query`), the
//! first sample of the answer as the value. Any failure is `Error`: there is no number.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, Url};
use serde_json::Value;

use super::http::{snippet, with_body};
use super::http_fetch::fetch_url;
use super::sample::Reading;

pub async fn poll(client: &reqwest::Client, base: &str, query: &str, timeout: Duration) -> Reading {
    let url = match query_url(base, query) {
        Ok(u) => u,
        Err(e) => return Reading::Error(e),
    };
    match fetch_url(client, Method::GET, url, HeaderMap::new(), timeout).await {
        Err(f) => Reading::Error(f.into_message()),
        Ok(a) if a.truncated => Reading::Error("answer is over 1 MiB".into()),
        Ok(a) => parse(a.status.as_u16(), &a.body),
    }
}

/// `<base>/api/v1/query?query=<query>`, keeping a path prefix (Prometheus behind a proxy at
/// `/prometheus`) and encoding the query whatever it holds.
pub fn query_url(base: &str, query: &str) -> Result<Url, String> {
    let mut url = Url::parse(base).map_err(|e| format!("invalid url: {e}"))?;
    url.path_segments_mut()
        .map_err(|_| format!("{base} cannot take a path"))?
        .pop_if_empty()
        .extend(["api", "v1", "query"]);
    url.query_pairs_mut().append_pair("query", query);
    Ok(url)
}

/// Reads an answer of the Prometheus HTTP API. Errors come with 4xx/5xx and a JSON body that
/// says why, so the body is read before the status is judged.
pub fn parse(status: u16, body: &[u8]) -> Reading {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return Reading::Error(if (200..300).contains(&status) {
            format!("not JSON: {}", snippet(body))
        } else {
            with_body(format!("status {status}"), body)
        });
    };
    match json.get("status").and_then(Value::as_str) {
        Some("success") => {}
        Some("error") => {
            let text = json
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("no reason given");
            return Reading::Error(match json.get("errorType").and_then(Value::as_str) {
                Some(kind) => format!("Prometheus error ({kind}): {text}"),
                None => format!("Prometheus error: {text}"),
            });
        }
        _ => {
            return Reading::Error(with_body(
                format!("status {status}, not a Prometheus answer"),
                body,
            ));
        }
    }
    let data = &json["data"];
    let sample = match data["resultType"].as_str() {
        Some("vector") => match data["result"].as_array() {
            Some(series) if series.is_empty() => return Reading::Error("no data".into()),
            Some(series) => &series[0]["value"],
            None => return Reading::Error("vector answer without a result list".into()),
        },
        Some("scalar") => &data["result"],
        Some(other @ ("matrix" | "string")) => {
            return Reading::Error(format!(
                "the query returns a {other}; write one that returns an instant vector or a scalar"
            ));
        }
        _ => return Reading::Error("answer without a known resultType".into()),
    };
    // A sample is [unix time, "value"]: the value is a string so NaN and ±Inf survive JSON.
    match sample.get(1).and_then(Value::as_str) {
        Some(text) => match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Reading::Number(v),
            Ok(_) => Reading::Error(format!("the value is {text}")),
            Err(_) => Reading::Error(format!("the value `{text}` is not a number")),
        },
        None => Reading::Error("a sample without a value".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_url_keeps_a_prefix_and_encodes() {
        let url = query_url("http://p:9090/prom/", "rate(x{a=\"b c\"}[5m]) > 0 & 1").unwrap();
        assert_eq!(url.path(), "/prom/api/v1/query");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [("query".into(), "rate(x{a=\"b c\"}[5m]) > 0 & 1".into())]
        );
        assert_eq!(
            query_url("http://p:9090", "up").unwrap().as_str(),
            "http://p:9090/api/v1/query?query=up"
        );
        assert!(query_url("not a url", "up").is_err());
    }

    #[test]
    fn answers_of_each_shape() {
        let vector = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"api"},"value":[1733436000.5,"0.25"]},{"metric":{},"value":[1733436000.5,"9"]}]}}"#;
        assert_eq!(parse(200, vector), Reading::Number(0.25));
        let scalar =
            br#"{"status":"success","data":{"resultType":"scalar","result":[1733436000.5,"42"]}}"#;
        assert_eq!(parse(200, scalar), Reading::Number(42.0));
        let empty = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert_eq!(parse(200, empty), Reading::Error("no data".into()));
        let nan = br#"{"status":"success","data":{"resultType":"scalar","result":[1,"NaN"]}}"#;
        assert_eq!(parse(200, nan), Reading::Error("the value is NaN".into()));
        let matrix = br#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
        assert!(matches!(parse(200, matrix), Reading::Error(e) if e.contains("returns a matrix")));
        let error = br#"{"status":"error","errorType":"bad_data","error":"1:5: parse error"}"#;
        assert_eq!(
            parse(400, error),
            Reading::Error("Prometheus error (bad_data): 1:5: parse error".into())
        );
        assert_eq!(
            parse(502, b"Bad Gateway"),
            Reading::Error("status 502: Bad Gateway".into())
        );
        assert_eq!(
            parse(200, b"<html>"),
            Reading::Error("not JSON: <html>".into())
        );
    }
}

//! What a failed CloudWatch call tells the operator: one short line that says what to do, never
//! the SDK's Debug dump. Shared by every source of the failed request.

use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudwatch::config::http::HttpResponse;
use aws_sdk_cloudwatch::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;

use super::aws::{find, innermost};
use super::sample::Reading;
use super::sanitize::one_line;

/// Longest error text kept: a panel cell, not a log.
const MAX_CHARS: usize = 160;

pub(super) fn no_region() -> Reading {
    Reading::Error(
        "no AWS region (set region in the runbook or the source, AWS_REGION, or the profile's region)"
            .into(),
    )
}

/// One line, at most `MAX_CHARS`, sanitized: text from the server or the SDK is outside text.
pub(super) fn short(text: &str) -> String {
    let line = one_line(text);
    if line.chars().count() <= MAX_CHARS {
        return line;
    }
    let cut: String = line.chars().take(MAX_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

pub(super) fn describe(
    err: &SdkError<GetMetricDataError, HttpResponse>,
    endpoint: Option<&str>,
    timeout: Duration,
) -> String {
    short(&match err {
        SdkError::ServiceError(_) => service(err.code(), err.message()),
        SdkError::TimeoutError(_) => format!(
            "no answer from CloudWatch{} within {}s",
            at(endpoint),
            timeout.as_secs_f64()
        ),
        SdkError::DispatchFailure(failure) => {
            if let Some(creds) = find::<CredentialsError>(err) {
                credentials(creds)
            } else if failure.is_timeout() {
                format!("connecting to CloudWatch{} timed out", at(endpoint))
            } else if let Some(io) = find::<std::io::Error>(err) {
                match io.kind() {
                    std::io::ErrorKind::ConnectionRefused => {
                        format!("CloudWatch endpoint{} refused the connection", at(endpoint))
                    }
                    _ => format!("cannot reach CloudWatch{}: {io}", at(endpoint)),
                }
            } else {
                format!(
                    "cannot reach CloudWatch{}: {}",
                    at(endpoint),
                    innermost(err)
                )
            }
        }
        SdkError::ResponseError(_) => format!(
            "CloudWatch{} answered something unreadable: {}",
            at(endpoint),
            innermost(err)
        ),
        SdkError::ConstructionFailure(_) => {
            format!("could not build the CloudWatch request: {}", innermost(err))
        }
        _ => format!("CloudWatch request failed: {}", innermost(err)),
    })
}

fn at(endpoint: Option<&str>) -> String {
    endpoint.map(|e| format!(" at {e}")).unwrap_or_default()
}

fn service(code: Option<&str>, message: Option<&str>) -> String {
    let message = message.unwrap_or("").trim();
    let code = code.unwrap_or("");
    match code {
        "AccessDenied" | "AccessDeniedException" => {
            "access denied: cloudwatch:GetMetricData (see docs/iam-policy.json)".into()
        }
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequests" => {
            "throttled by CloudWatch (GetMetricData rate limit); will retry".into()
        }
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
            "AWS credentials expired (run aws sso login or refresh them)".into()
        }
        "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "SignatureDoesNotMatch"
        | "IncompleteSignature"
        | "InvalidSignatureException"
        | "MissingAuthenticationToken" => {
            format!("AWS credentials rejected by CloudWatch ({code}): check the profile and keys")
        }
        "" if message.is_empty() => "CloudWatch refused the request".into(),
        "" => format!("CloudWatch: {message}"),
        _ if message.is_empty() => format!("CloudWatch: {code}"),
        _ => format!("CloudWatch: {code}: {message}"),
    }
}

fn credentials(err: &CredentialsError) -> String {
    match err {
        CredentialsError::CredentialsNotLoaded(_) => {
            "no AWS credentials (set AWS_PROFILE or run aws sso login)".into()
        }
        CredentialsError::ProviderTimedOut(t) => format!(
            "loading AWS credentials timed out after {}s",
            t.timeout_duration().as_secs_f64()
        ),
        CredentialsError::InvalidConfiguration(_) => {
            format!("invalid AWS credentials configuration: {}", innermost(err))
        }
        _ => format!(
            "AWS credentials unavailable (run aws sso login?): {}",
            innermost(err)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_say_what_to_do() {
        let cases = [
            (
                Some("AccessDeniedException"),
                Some("User: arn:aws:iam::1:user/x is not authorized"),
                "access denied: cloudwatch:GetMetricData (see docs/iam-policy.json)",
            ),
            (
                Some("Throttling"),
                Some("Rate exceeded"),
                "throttled by CloudWatch (GetMetricData rate limit); will retry",
            ),
            (
                Some("ExpiredTokenException"),
                None,
                "AWS credentials expired (run aws sso login or refresh them)",
            ),
            (
                Some("InvalidParameterValue"),
                Some("The value  for parameter Stat is invalid."),
                "CloudWatch: InvalidParameterValue: The value for parameter Stat is invalid.",
            ),
            (None, None, "CloudWatch refused the request"),
        ];
        for (code, message, want) in cases {
            assert_eq!(short(&service(code, message)), want);
        }
    }

    #[test]
    fn short_keeps_one_clean_line_of_bounded_length() {
        assert_eq!(short("a\n\x1b[31mb\x1b[0m\tc"), "a b c");
        let long = "x".repeat(500);
        let cut = short(&long);
        assert_eq!(cut.chars().count(), MAX_CHARS);
        assert!(cut.ends_with('…'));
    }
}

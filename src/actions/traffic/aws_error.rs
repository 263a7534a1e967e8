//! A failed AWS call of a native actuator in one plain line: `AccessDenied:
//! route53:ChangeResourceRecordSets`, never the SDK's Debug dump. The same for the three SDKs:
//! their `SdkError` is one smithy type.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_route53::config::http::HttpResponse;
use aws_sdk_route53::error::{ProvideErrorMetadata, SdkError};

use crate::telemetry::aws::{find, innermost};
use crate::telemetry::http::clean;

/// One line in a dialog or a panel cell: long enough for an ARN and the reason.
const MAX_CHARS: usize = 240;

/// `action` is the IAM action of the call (`route53:ChangeResourceRecordSets`): what an
/// access-denied answer is missing, and what the operator adds to the policy.
pub fn describe<E>(err: &SdkError<E, HttpResponse>, action: &str) -> String
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let line = match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            service_line(e.code(), e.message(), action)
        }
        SdkError::TimeoutError(_) => format!("{action}: no answer in time"),
        SdkError::DispatchFailure(_) => match find::<CredentialsError>(err) {
            Some(CredentialsError::CredentialsNotLoaded(_)) => {
                "no AWS credentials (set AWS_PROFILE or run aws sso login)".into()
            }
            Some(c) => format!("AWS credentials unavailable: {}", innermost(c)),
            None => format!("cannot reach the {action} endpoint: {}", innermost(err)),
        },
        SdkError::ResponseError(_) => {
            format!("{action}: an unreadable answer: {}", innermost(err))
        }
        _ => format!("{action} failed: {}", innermost(err)),
    };
    clean(&line, MAX_CHARS)
}

/// What the service said: an access denial names the missing action (the policy's wording,
/// not the identity's ARN, which says nothing the operator can act on), anything else its code
/// and message.
fn service_line(code: Option<&str>, message: Option<&str>, action: &str) -> String {
    let code = code.unwrap_or("");
    let message = message.unwrap_or("").trim();
    match code {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            format!("AccessDenied: {action}")
        }
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            format!("{code}: AWS credentials expired (run aws sso login or refresh them)")
        }
        "" if message.is_empty() => format!("{action} refused"),
        "" => format!("{action}: {message}"),
        _ if message.is_empty() => code.to_string(),
        _ => format!("{code}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_access_denial_names_the_action_to_allow() {
        let cases = [
            (
                Some("AccessDenied"),
                Some(
                    "User: arn:aws:iam::1:user/ops is not authorized to perform: route53:ChangeResourceRecordSets",
                ),
                "route53:ChangeResourceRecordSets",
                "AccessDenied: route53:ChangeResourceRecordSets",
            ),
            (
                Some("AccessDeniedException"),
                None,
                "elasticloadbalancing:ModifyListener",
                "AccessDenied: elasticloadbalancing:ModifyListener",
            ),
            (
                Some("NoSuchHostedZone"),
                Some("No hosted zone found with ID: Z1"),
                "route53:ListResourceRecordSets",
                "NoSuchHostedZone: No hosted zone found with ID: Z1",
            ),
            (None, None, "apigateway:PATCH", "apigateway:PATCH refused"),
        ];
        for (code, message, action, want) in cases {
            assert_eq!(service_line(code, message, action), want);
        }
    }
}

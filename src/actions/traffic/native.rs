//! The native actuators (Route 53, ALB, API Gateway) through the official AWS SDK: the same
//! credential chain, profile, region and endpoint overrides (`AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_ROUTE_53`, …) as the telemetry sources. A shift reads what is in force,
//! writes, and reads again; the read-back is the same read, polled as `traffic.green`.

use std::time::Duration;

use aws_config::{Region, SdkConfig};

use super::{alb, apigateway, route53};
use crate::runbook::{AwsActuator, Mechanism};
use crate::telemetry::aws::{Configs, Target};
use crate::telemetry::http::clean;

/// The green share in force and the weights it comes from, for the dialog and the journal.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Percent of requests to green, as the weights make it (not always a whole number).
    pub green: f64,
    pub detail: String,
}

impl Split {
    /// `detail` quotes what AWS answered (ids, ARNs): outside text, cleaned here.
    pub fn new(green: f64, detail: String) -> Split {
        Split {
            green,
            detail: clean(&detail, MAX_CHARS),
        }
    }

    /// The whole percentage a weight is compared with; the rounding is said when there is one.
    pub fn whole(&self) -> u8 {
        self.green.round().clamp(0.0, 100.0) as u8
    }

    pub fn describe(&self) -> String {
        let whole = self.whole();
        if (self.green - whole as f64).abs() < 0.05 {
            format!("green {whole}% ({})", self.detail)
        } else {
            format!(
                "green {:.1}%, rounded to {whole}% ({})",
                self.green, self.detail
            )
        }
    }
}

/// (blue, green) weights for `green` percent: 100 - green and green. Route 53 takes 0 to 255
/// and ALB 0 to 999, and both split by weight / sum, so weights summing to 100 are the
/// percentages exactly, with no rounding to show.
pub fn weights_for(green: u8) -> (u8, u8) {
    let green = green.min(100);
    (100 - green, green)
}

/// The request in one line, as the shift dialog and the journal show it, before anything is
/// read: the API call, its target, and the weights it writes.
pub fn shown(actuator: &AwsActuator, green: u8) -> String {
    let (b, g) = weights_for(green);
    match &actuator.mechanism {
        Mechanism::Route53 {
            zone_id,
            record_name,
            record_type,
            blue_set,
            green_set,
        } => format!(
            "route53 ChangeResourceRecordSets zone {zone_id} · {record_name} {record_type} · DELETE each as read, CREATE `{blue_set}` weight {b}, `{green_set}` weight {g} · then wait for INSYNC"
        ),
        Mechanism::Alb {
            listener,
            blue_target_group,
            green_target_group,
        } => {
            let (call, arn) = match listener {
                crate::runbook::AlbListener::Listener(arn) => ("ModifyListener", arn),
                crate::runbook::AlbListener::Rule(arn) => ("ModifyRule", arn),
            };
            format!(
                "elbv2 {call} {arn} · forward {blue_target_group} weight {b}, {green_target_group} weight {g}"
            )
        }
        Mechanism::ApiGateway {
            rest_api_id,
            stage,
            blue_deployment,
        } => apigateway::shown(
            &apigateway::Canary {
                rest_api_id,
                stage,
                blue_deployment: blue_deployment.as_deref(),
            },
            green,
        ),
    }
}

/// Where the actuator asks: its region and profile (the runbook's, or the command line's).
pub fn target(actuator: &AwsActuator) -> Target {
    Target {
        region: actuator.region.clone(),
        profile: actuator.profile.clone(),
    }
}

/// Route 53 is global: without a region the SDK could not sign, and us-east-1 is where it
/// lives in the commercial partition.
fn config_for(config: &SdkConfig, mechanism: &Mechanism) -> Result<SdkConfig, String> {
    if config.region().is_some() {
        return Ok(config.clone());
    }
    match mechanism {
        Mechanism::Route53 { .. } => Ok(config
            .to_builder()
            .region(Region::from_static("us-east-1"))
            .build()),
        _ => Err(
            "no AWS region (set region in [traffic] or [runbook], AWS_REGION, or the profile's region)"
                .into(),
        ),
    }
}

/// Longest message kept: a dialog line, long enough for two ARNs.
const MAX_CHARS: usize = 400;

/// Reads the split in force. An error quotes AWS's answer (a foreign target group's ARN, a
/// message): cleaned of control characters and cut before anyone shows it.
pub async fn read(config: &SdkConfig, mechanism: &Mechanism) -> Result<Split, String> {
    read_unclean(config, mechanism)
        .await
        .map_err(|e| clean(&e, MAX_CHARS))
}

/// One mechanism's client and the records it acts on: built once per call, for a read or a
/// shift alike.
enum Actuator<'a> {
    Route53(aws_sdk_route53::Client, route53::Records<'a>),
    Alb(aws_sdk_elasticloadbalancingv2::Client, alb::Forward<'a>),
    ApiGateway(aws_sdk_apigateway::Client, apigateway::Canary<'a>),
}

impl<'a> Actuator<'a> {
    fn new(config: &SdkConfig, mechanism: &'a Mechanism) -> Result<Self, String> {
        let config = config_for(config, mechanism)?;
        Ok(match mechanism {
            Mechanism::Route53 {
                zone_id,
                record_name,
                record_type,
                blue_set,
                green_set,
            } => Actuator::Route53(
                aws_sdk_route53::Client::new(&config),
                route53::Records {
                    zone_id,
                    name: record_name,
                    record_type,
                    blue_set,
                    green_set,
                },
            ),
            Mechanism::Alb {
                listener,
                blue_target_group,
                green_target_group,
            } => Actuator::Alb(
                aws_sdk_elasticloadbalancingv2::Client::new(&config),
                alb::Forward {
                    listener,
                    blue: blue_target_group,
                    green: green_target_group,
                },
            ),
            Mechanism::ApiGateway {
                rest_api_id,
                stage,
                blue_deployment,
            } => Actuator::ApiGateway(
                aws_sdk_apigateway::Client::new(&config),
                apigateway::Canary {
                    rest_api_id,
                    stage,
                    blue_deployment: blue_deployment.as_deref(),
                },
            ),
        })
    }
}

async fn read_unclean(config: &SdkConfig, mechanism: &Mechanism) -> Result<Split, String> {
    match Actuator::new(config, mechanism)? {
        Actuator::Route53(client, want) => Ok(route53::read(&client, &want).await?.split()),
        Actuator::Alb(client, want) => alb::read(&client, &want).await,
        Actuator::ApiGateway(client, want) => apigateway::read(&client, &want).await,
    }
}

/// Puts `green` percent in force and returns what is read back after it; everything within
/// `timeout`.
pub async fn shift(
    config: &SdkConfig,
    mechanism: &Mechanism,
    green: u8,
    timeout: Duration,
) -> Result<Split, String> {
    let actuator = Actuator::new(config, mechanism)?;
    let deadline = tokio::time::Instant::now() + timeout;
    let work = async {
        match actuator {
            Actuator::Route53(client, want) => {
                route53::shift(&client, &want, green, deadline).await
            }
            Actuator::Alb(client, want) => alb::shift(&client, &want, green).await,
            Actuator::ApiGateway(client, want) => apigateway::shift(&client, &want, green).await,
        }
    };
    match tokio::time::timeout_at(deadline, work).await {
        Ok(result) => result.map_err(|e| clean(&e, MAX_CHARS)),
        Err(_) => Err(format!(
            "no answer within {}: the change may or may not be in force; the read-back shows which",
            crate::runbook::duration::format_duration(timeout)
        )),
    }
}

/// A runtime per call: shifts and dialog read-backs are rare, and the caller is a plain thread.
fn block_on<T>(work: impl std::future::Future<Output = Result<T, String>>) -> Result<T, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the AWS client: {e}"))?
        .block_on(work)
}

/// `shift` from a plain thread: `Ok` says what is in force, and whether it is what was asked.
pub fn shift_blocking(
    actuator: &AwsActuator,
    green: u8,
    timeout: Duration,
) -> Result<String, String> {
    block_on(async {
        let config = Configs::default().get(&target(actuator)).await;
        let split = shift(&config, &actuator.mechanism, green, timeout).await?;
        if split.whole() != green {
            return Err(format!(
                "asked for green {green}%, read back {}",
                split.describe()
            ));
        }
        Ok(format!("read back {}", split.describe()))
    })
}

/// `read` from a plain thread, as the whole percentage the dialog compares.
pub fn read_blocking(actuator: &AwsActuator, timeout: Duration) -> Result<u8, String> {
    block_on(async {
        let config = Configs::default().get(&target(actuator)).await;
        match tokio::time::timeout(timeout, read(&config, &actuator.mechanism)).await {
            Ok(split) => Ok(split?.whole()),
            Err(_) => Err("the read-back did not answer in time".into()),
        }
    })
}

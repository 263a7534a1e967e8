//! API Gateway canary: a REST API stage with a canary deployment sends `percentTraffic` of its
//! requests to the canary's deployment (green) and the rest to the stage's own (blue). A shift
//! replaces `/canarySettings/percentTraffic` and reads back with `GetStage`. 100 % is the
//! promotion, named by the runbook (`promote = true`): the stage's deployment becomes the
//! canary's and the canary share 0, so everything runs on green; a shift below 100 after it
//! puts the runbook's `blue_deployment` back. The API has no conditional write, so the stage is
//! read first and a stage that runs a deployment that is neither blue nor the canary's is left
//! alone.

use aws_sdk_apigateway::Client;
use aws_sdk_apigateway::operation::get_stage::GetStageOutput;
use aws_sdk_apigateway::types::{Op, PatchOperation};

use super::aws_error::describe;
use super::native::Split;

/// The mechanism's fields, borrowed from the runbook model.
pub struct Canary<'a> {
    pub rest_api_id: &'a str,
    pub stage: &'a str,
    pub blue_deployment: Option<&'a str>,
}

/// What a stage holds, as far as a shift cares.
#[derive(Debug, Clone, PartialEq)]
pub struct StageState {
    pub deployment: String,
    /// The canary's deployment and share, if the stage has a canary.
    pub canary: Option<(String, f64)>,
}

impl StageState {
    fn of(stage: &GetStageOutput) -> StageState {
        StageState {
            deployment: stage.deployment_id().unwrap_or_default().to_string(),
            canary: stage.canary_settings().map(|c| {
                (
                    c.deployment_id().unwrap_or_default().to_string(),
                    c.percent_traffic(),
                )
            }),
        }
    }

    /// Promoted: the stage runs the canary's deployment, so all of it is green.
    fn promoted(&self) -> bool {
        self.canary
            .as_ref()
            .is_some_and(|(d, _)| !d.is_empty() && *d == self.deployment)
    }
}

pub fn split(state: &StageState, want: &Canary) -> Result<Split, String> {
    let Some((canary, percent)) = &state.canary else {
        return Err(no_canary(want));
    };
    if state.promoted() {
        return Ok(Split::new(
            100.0,
            format!("promoted: the stage runs the canary's deployment {canary}"),
        ));
    }
    Ok(Split::new(
        *percent,
        format!(
            "canary {canary} at {percent}%, stage deployment {}",
            state.deployment
        ),
    ))
}

fn no_canary(want: &Canary) -> String {
    format!(
        "stage {} of REST API {} has no canary: create one first (create-deployment --canary-settings)",
        want.stage, want.rest_api_id
    )
}

fn replace(path: &str, value: &str) -> PatchOperation {
    PatchOperation::builder()
        .op(Op::Replace)
        .path(path)
        .value(value)
        .build()
}

/// The patch operations that put `green` percent in force on a stage in `state`, or why not.
/// Pure: the refusals (no canary, a stage running a foreign deployment, a promotion going
/// back without a blue deployment) are checked here on the request built.
pub fn patch(state: &StageState, want: &Canary, green: u8) -> Result<Vec<PatchOperation>, String> {
    let Some((canary, _)) = &state.canary else {
        return Err(no_canary(want));
    };
    let blue_known = want.blue_deployment.is_none_or(|b| b == state.deployment);
    if !state.promoted() && !blue_known {
        return Err(format!(
            "stage {} runs deployment {}, neither blue ({}) nor the canary's ({canary}): refusing to change it",
            want.stage,
            state.deployment,
            want.blue_deployment.unwrap_or_default()
        ));
    }
    let percent = replace("/canarySettings/percentTraffic", &format!("{green}.0"));
    Ok(match (green, state.promoted()) {
        (100, true) => vec![],
        (100, false) => {
            if want.blue_deployment.is_none() {
                return Err("green 100% is a promotion: the runbook names it with promote = true and blue_deployment".into());
            }
            vec![
                replace("/deploymentId", canary),
                replace("/canarySettings/percentTraffic", "0.0"),
            ]
        }
        (_, true) => {
            let Some(blue) = want.blue_deployment else {
                return Err(format!(
                    "stage {} was promoted to the canary's deployment, and the runbook names no blue_deployment to go back to",
                    want.stage
                ));
            };
            vec![replace("/deploymentId", blue), percent]
        }
        (_, false) => vec![percent],
    })
}

/// The operations shown before the stage is read: what the shift will ask for.
pub fn shown(want: &Canary, green: u8) -> String {
    let target = format!("apigateway UpdateStage {}/{}", want.rest_api_id, want.stage);
    match (green, want.blue_deployment) {
        (100, _) => format!(
            "{target} · promotion: replace /deploymentId with the canary's deployment, replace /canarySettings/percentTraffic 0"
        ),
        (_, Some(blue)) => format!(
            "{target} · replace /canarySettings/percentTraffic {green} (and /deploymentId {blue} if the stage was promoted)"
        ),
        (_, None) => format!("{target} · replace /canarySettings/percentTraffic {green}"),
    }
}

pub async fn state(client: &Client, want: &Canary<'_>) -> Result<StageState, String> {
    let stage = client
        .get_stage()
        .rest_api_id(want.rest_api_id)
        .stage_name(want.stage)
        .send()
        .await
        .map_err(|e| describe(&e, "apigateway:GET"))?;
    Ok(StageState::of(&stage))
}

pub async fn read(client: &Client, want: &Canary<'_>) -> Result<Split, String> {
    split(&state(client, want).await?, want)
}

/// Reads the stage, patches it, reads it again.
pub async fn shift(client: &Client, want: &Canary<'_>, green: u8) -> Result<Split, String> {
    let ops = patch(&state(client, want).await?, want, green)?;
    if !ops.is_empty() {
        client
            .update_stage()
            .rest_api_id(want.rest_api_id)
            .stage_name(want.stage)
            .set_patch_operations(Some(ops))
            .send()
            .await
            .map_err(|e| describe(&e, "apigateway:PATCH"))?;
    }
    read(client, want).await
}

//! The native API Gateway actuator against LocalStack (moto accepts canary settings and
//! ignores them, so a moto test would pass while nothing happened): a REST API stage with a
//! canary deployment, shifted 10 → 50 through `percentTraffic` and promoted at 100 through the
//! cockpit in a pty, read back with GetStage after each, and rolled back to all blue, which
//! puts the blue deployment back. The refusals (no canary, a stage running a deployment that is
//! neither blue nor the canary's) are checked on the patch the actuator builds.

mod support;

use std::sync::OnceLock;

use aws_sdk_apigateway::Client;
use aws_sdk_apigateway::types::{CanarySettings, IntegrationType, Op};
use flightdeck::actions::traffic::{Canary, StageState, native, stage_patch};
use flightdeck::runbook::Mechanism;
use support::aws_traffic;
use support::localstack::{LocalStack, free_port};

fn localstack() -> &'static LocalStack {
    static SHARED: OnceLock<LocalStack> = OnceLock::new();
    SHARED.get_or_init(|| LocalStack::start_services(free_port(), "apigateway"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A REST API with a `prod` stage on the blue deployment and a canary on green at 0 %:
/// (api id, blue deployment, green deployment).
async fn api(client: &Client, name: &str) -> (String, String, String) {
    let api = client.create_rest_api().name(name).send().await.unwrap();
    let id = api.id().unwrap().to_string();
    let resources = client
        .get_resources()
        .rest_api_id(&id)
        .send()
        .await
        .unwrap();
    let root = resources.items()[0].id().unwrap().to_string();
    client
        .put_method()
        .rest_api_id(&id)
        .resource_id(&root)
        .http_method("GET")
        .authorization_type("NONE")
        .send()
        .await
        .unwrap();
    client
        .put_integration()
        .rest_api_id(&id)
        .resource_id(&root)
        .http_method("GET")
        .r#type(IntegrationType::Mock)
        .request_templates("application/json", r#"{"statusCode": 200}"#)
        .send()
        .await
        .unwrap();
    let blue = client
        .create_deployment()
        .rest_api_id(&id)
        .stage_name("prod")
        .send()
        .await
        .unwrap();
    let green = client
        .create_deployment()
        .rest_api_id(&id)
        .stage_name("prod")
        .canary_settings(
            // The SDK leaves a 0.0 share out of the request (it is the default), and an empty
            // canarySettings makes no canary: the stage variable keeps it non-empty.
            aws_sdk_apigateway::types::DeploymentCanarySettings::builder()
                .percent_traffic(0.0)
                .stage_variable_overrides("side", "green")
                .build(),
        )
        .send()
        .await
        .unwrap();
    (
        id,
        blue.id().unwrap().to_string(),
        green.id().unwrap().to_string(),
    )
}

async fn stage(client: &Client, id: &str) -> (String, Option<CanarySettings>) {
    let stage = client
        .get_stage()
        .rest_api_id(id)
        .stage_name("prod")
        .send()
        .await
        .unwrap();
    (
        stage.deployment_id().unwrap().to_string(),
        stage.canary_settings().cloned(),
    )
}

#[test]
fn the_cockpit_shifts_the_canary_promotes_it_and_rolls_back_to_blue() {
    let ls = localstack();
    let rt = runtime();
    let config = aws_traffic::config(&ls.endpoint());
    let client = Client::new(&config);
    let (id, blue, green) = rt.block_on(api(&client, "walk"));
    let traffic = format!(
        "kind = \"apigateway\"\nrest_api_id = \"{id}\"\nstage = \"prod\"\npromote = true\nblue_deployment = \"{blue}\""
    );
    let mech = Mechanism::ApiGateway {
        rest_api_id: id.clone(),
        stage: "prod".into(),
        blue_deployment: Some(blue.clone()),
    };
    let journal = aws_traffic::walk(
        &ls.endpoint(),
        &traffic,
        &format!("apigateway UpdateStage {id}/prod"),
        |want| {
            let (deployment, canary) = rt.block_on(stage(&client, &id));
            let canary = canary.expect("the canary stays");
            assert_eq!(canary.deployment_id(), Some(green.as_str()));
            match want {
                // Promoted: the stage runs green's deployment, the canary share is 0.
                100 => assert_eq!(
                    (deployment.as_str(), canary.percent_traffic()),
                    (green.as_str(), 0.0)
                ),
                w => assert_eq!(
                    (deployment.as_str(), canary.percent_traffic()),
                    (blue.as_str(), w as f64),
                    "blue's deployment, the canary at {w}%"
                ),
            }
            rt.block_on(native::read(&config, &mech)).unwrap().whole()
        },
    );
    assert!(journal.contains("read back green 10% (canary"), "{journal}");
    assert!(
        journal.contains("read back green 100% (promoted"),
        "{journal}"
    );
    assert!(journal.contains(r#""type":"rollback_ended","completed":true"#));
}

fn canary<'a>(blue: Option<&'a str>) -> Canary<'a> {
    Canary {
        rest_api_id: "a1b2c3",
        stage: "prod",
        blue_deployment: blue,
    }
}

/// The API has no conditional write; the actuator reads the stage first and builds its patch
/// from it. LocalStack would apply any patch, so the refusals are checked on the patch built.
#[test]
fn the_patch_is_built_from_the_stage_read_and_refuses_what_it_did_not_expect() {
    let state = |deployment: &str, canary: Option<(&str, f64)>| StageState {
        deployment: deployment.into(),
        canary: canary.map(|(d, p)| (d.into(), p)),
    };
    let ops = |s: &StageState, b, g| -> Vec<(Op, String, String)> {
        stage_patch(s, &canary(b), g)
            .unwrap()
            .into_iter()
            .map(|o| {
                (
                    o.op().unwrap().clone(),
                    o.path().unwrap().into(),
                    o.value().unwrap().into(),
                )
            })
            .collect()
    };
    let replace = |p: &str, v: &str| (Op::Replace, p.to_string(), v.to_string());
    let on_blue = state("dep-blue", Some(("dep-green", 10.0)));
    assert_eq!(
        ops(&on_blue, Some("dep-blue"), 50),
        [replace("/canarySettings/percentTraffic", "50.0")]
    );
    assert_eq!(
        ops(&on_blue, Some("dep-blue"), 100),
        [
            replace("/deploymentId", "dep-green"),
            replace("/canarySettings/percentTraffic", "0.0")
        ],
        "100 % promotes the canary's deployment"
    );
    let promoted = state("dep-green", Some(("dep-green", 0.0)));
    assert_eq!(
        ops(&promoted, Some("dep-blue"), 0),
        [
            replace("/deploymentId", "dep-blue"),
            replace("/canarySettings/percentTraffic", "0.0")
        ],
        "going back from a promotion puts blue's deployment back"
    );

    let no_canary = state("dep-blue", None);
    assert_eq!(
        stage_patch(&no_canary, &canary(None), 10).unwrap_err(),
        "stage prod of REST API a1b2c3 has no canary: create one first (create-deployment --canary-settings)"
    );
    let foreign = state("dep-hotfix", Some(("dep-green", 10.0)));
    assert_eq!(
        stage_patch(&foreign, &canary(Some("dep-blue")), 50).unwrap_err(),
        "stage prod runs deployment dep-hotfix, neither blue (dep-blue) nor the canary's (dep-green): refusing to change it"
    );
    assert!(
        stage_patch(&promoted, &canary(None), 0)
            .unwrap_err()
            .contains("names no blue_deployment")
    );
}

#[test]
fn a_stage_without_a_canary_is_one_plain_line_and_nothing_changes() {
    let ls = localstack();
    let rt = runtime();
    let config = aws_traffic::config(&ls.endpoint());
    let client = Client::new(&config);
    let api = rt.block_on(async {
        let api = client.create_rest_api().name("plain").send().await.unwrap();
        api.id().unwrap().to_string()
    });
    let mech = Mechanism::ApiGateway {
        rest_api_id: api.clone(),
        stage: "nostage".into(),
        blue_deployment: None,
    };
    let err = rt
        .block_on(native::shift(
            &config,
            &mech,
            10,
            std::time::Duration::from_secs(10),
        ))
        .unwrap_err();
    assert!(
        !err.contains('\n') && err.starts_with("NotFoundException"),
        "{err}"
    );
}

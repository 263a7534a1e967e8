//! The native ALB actuator against moto's server: a listener forwarding to blue and green
//! target groups by weight, shifted 10 → 50 → 100 through the cockpit in a pty and rolled back,
//! read back with the SDK after each; and the refusal to write over a target group that is
//! neither blue nor green. Moto accepts any forward action, so the refusal is the actuator's
//! own: it is checked on the request the actuator builds, and against moto that nothing is
//! written.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;
use std::time::Duration;

use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, ForwardActionConfig, ProtocolEnum, TargetGroupTuple, TargetTypeEnum,
};
use flightdeck::actions::traffic::{Forward, native, with_weights};
use flightdeck::runbook::{AlbListener, Mechanism};
use support::aws_traffic;
use support::moto::Moto;

fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// One EC2 query to moto, unsigned (moto does not check signatures): the answer's XML. The
/// load balancer needs moto's default VPC and subnets, and the EC2 SDK is not worth a
/// dependency for two reads.
fn ec2(endpoint: &str, query: &str) -> String {
    let port = endpoint.rsplit(':').next().unwrap();
    let mut stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let body = format!("{query}&Version=2016-11-15");
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: AWS4-HMAC-SHA256 Credential={}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        aws_traffic::ACCESS_KEY,
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Every `<tag>value</tag>` in `xml`.
fn values(xml: &str, tag: &str) -> Vec<String> {
    xml.split(&format!("<{tag}>"))
        .skip(1)
        .filter_map(|s| s.split(&format!("</{tag}>")).next())
        .map(str::to_string)
        .collect()
}

fn forward(groups: &[(&str, i32)]) -> Action {
    let mut config = ForwardActionConfig::builder();
    for (arn, weight) in groups {
        config = config.target_groups(
            TargetGroupTuple::builder()
                .target_group_arn(*arn)
                .weight(*weight)
                .build(),
        );
    }
    Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .forward_config(config.build())
        .build()
}

/// A load balancer with a listener forwarding 100 to blue, 0 to green: (listener, blue, green).
async fn listener(client: &Client, endpoint: &str, name: &str) -> (String, String, String) {
    let vpcs = ec2(endpoint, "Action=DescribeVpcs");
    let vpc = values(&vpcs, "vpcId")
        .into_iter()
        .next()
        .expect("moto's default VPC");
    let subnets = values(&ec2(endpoint, "Action=DescribeSubnets"), "subnetId");
    assert!(subnets.len() >= 2, "moto's default subnets: {subnets:?}");
    let lb = client
        .create_load_balancer()
        .name(name)
        .subnets(&subnets[0])
        .subnets(&subnets[1])
        .send()
        .await
        .expect("CreateLoadBalancer");
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let mut groups = Vec::new();
    for side in ["blue", "green", "other"] {
        let tg = client
            .create_target_group()
            .name(format!("{name}-{side}"))
            .protocol(ProtocolEnum::Http)
            .port(8080)
            .vpc_id(&vpc)
            .target_type(TargetTypeEnum::Ip)
            .send()
            .await
            .expect("CreateTargetGroup");
        groups.push(
            tg.target_groups()[0]
                .target_group_arn()
                .unwrap()
                .to_string(),
        );
    }
    let listener = client
        .create_listener()
        .load_balancer_arn(lb_arn)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(forward(&[(&groups[0], 100), (&groups[1], 0)]))
        .send()
        .await
        .expect("CreateListener");
    let arn = listener.listeners()[0].listener_arn().unwrap().to_string();
    (arn, groups[0].clone(), groups[1].clone())
}

fn mechanism(listener: &str, blue: &str, green: &str) -> Mechanism {
    Mechanism::Alb {
        listener: AlbListener::Listener(listener.into()),
        blue_target_group: blue.into(),
        green_target_group: green.into(),
    }
}

#[test]
fn the_cockpit_shifts_target_group_weights_and_rolls_them_back() {
    let moto = moto();
    let rt = runtime();
    let config = aws_traffic::config(&moto.endpoint());
    let client = Client::new(&config);
    let (arn, blue, green) = rt.block_on(listener(&client, &moto.endpoint(), "walk"));
    let traffic = format!(
        "kind = \"alb\"\nlistener_arn = \"{arn}\"\nblue_target_group = \"{blue}\"\ngreen_target_group = \"{green}\""
    );
    let mech = mechanism(&arn, &blue, &green);
    let journal = aws_traffic::walk(&moto.endpoint(), &traffic, "elbv2 ModifyListener", |_| {
        rt.block_on(native::read(&config, &mech))
            .expect("read back")
            .whole()
    });
    for green in [10, 50, 100] {
        assert!(
            journal.contains(&format!(
                "read back green {green}% (weights blue {}, green {green})",
                100 - green
            )),
            "{journal}"
        );
    }
    assert!(journal.contains(r#""type":"rollback_ended","completed":true"#));
}

/// The refusal on the request built: a forward action that also sends to a third target group
/// is not rewritten to blue and green (that would drop the third unseen).
#[test]
fn a_foreign_target_group_is_refused_on_the_request_built() {
    let want = Forward {
        listener: &AlbListener::Listener("arn:listener".into()),
        blue: "arn:blue",
        green: "arn:green",
    };
    let ok = with_weights(
        &[forward(&[("arn:blue", 100), ("arn:green", 0)])],
        &want,
        10,
    )
    .unwrap();
    let groups: Vec<(String, i32)> = ok[0]
        .forward_config()
        .unwrap()
        .target_groups()
        .iter()
        .map(|t| {
            (
                t.target_group_arn().unwrap().to_string(),
                t.weight().unwrap(),
            )
        })
        .collect();
    assert_eq!(groups, [("arn:blue".into(), 90), ("arn:green".into(), 10)]);

    let foreign = [forward(&[
        ("arn:blue", 50),
        ("arn:green", 0),
        ("arn:teal", 50),
    ])];
    let err = with_weights(&foreign, &want, 10).unwrap_err();
    assert_eq!(
        err,
        "the listener arn:listener forwards to a target group that is neither blue nor green (arn:teal): refusing to overwrite it"
    );
}

/// And against moto: the listener someone pointed at a third group is left as it is.
#[test]
fn a_foreign_target_group_in_force_is_left_alone() {
    let moto = moto();
    let rt = runtime();
    let config = aws_traffic::config(&moto.endpoint());
    let client = Client::new(&config);
    let (arn, blue, green) = rt.block_on(listener(&client, &moto.endpoint(), "foreign"));
    let groups = rt.block_on(async {
        client
            .describe_target_groups()
            .names("foreign-other")
            .send()
            .await
            .unwrap()
            .target_groups()[0]
            .target_group_arn()
            .unwrap()
            .to_string()
    });
    rt.block_on(async {
        client
            .modify_listener()
            .listener_arn(&arn)
            .default_actions(forward(&[(&blue, 50), (&groups, 50)]))
            .send()
            .await
            .unwrap()
    });
    let mech = mechanism(&arn, &blue, &green);
    let err = rt
        .block_on(native::shift(&config, &mech, 10, Duration::from_secs(10)))
        .unwrap_err();
    assert!(
        err.contains("neither blue nor green") && err.contains(&groups),
        "{err}"
    );
    let actions = rt.block_on(async {
        client
            .describe_listeners()
            .listener_arns(&arn)
            .send()
            .await
            .unwrap()
            .listeners()[0]
            .default_actions()
            .to_vec()
    });
    let weights: Vec<(String, i32)> = actions[0]
        .forward_config()
        .unwrap()
        .target_groups()
        .iter()
        .map(|t| {
            (
                t.target_group_arn().unwrap().to_string(),
                t.weight().unwrap(),
            )
        })
        .collect();
    assert_eq!(weights, [(blue, 50), (groups, 50)], "nothing written");
}

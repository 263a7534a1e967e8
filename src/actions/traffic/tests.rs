use super::*;

fn vars() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("SOCK".to_string(), "/run/haproxy.sock".to_string()),
        // A value that looks like a placeholder stays literal.
        ("ODD".to_string(), "{green}".to_string()),
    ])
}

fn http(body: Option<&str>) -> Actuator {
    Actuator::Http {
        method: "put".into(),
        url: "https://lb.example/${SOCK}/weights?green={green}".into(),
        body: body.map(str::to_string),
        headers: BTreeMap::from([("Authorization".to_string(), "LB_TOKEN_TEST".to_string())]),
    }
}

#[test]
fn render_fills_weights_and_runbook_vars() {
    let set = Actuator::Command(
        "echo 'set server be/green weight {green}; set server be/blue weight {blue}' | socat stdio unix-connect:${SOCK}".into(),
    );
    for (green, blue) in [(0, 100), (10, 90), (50, 50), (100, 0)] {
        assert_eq!(
            render(&set, &vars(), green),
            Request::Command(format!(
                "echo 'set server be/green weight {green}; set server be/blue weight {blue}' | socat stdio unix-connect:/run/haproxy.sock"
            ))
        );
    }
    let odd = Actuator::Command("{green} ${ODD} ${green} $HOME {blue}{x}".into());
    assert_eq!(
        render(&odd, &vars(), 30),
        Request::Command("30 {green} ${green} $HOME 70{x}".into()),
        "a var's value is literal, `${{green}}` is left for the shell"
    );
}

#[test]
fn render_fills_the_http_url_and_body_and_keeps_header_names() {
    let got = render(
        &http(Some(r#"{"green": {green}, "blue": {blue}}"#)),
        &vars(),
        10,
    );
    assert_eq!(
        got,
        Request::Http {
            method: "PUT".into(),
            url: "https://lb.example//run/haproxy.sock/weights?green=10".into(),
            body: Some(r#"{"green": 10, "blue": 90}"#.into()),
            headers: BTreeMap::from([("Authorization".into(), "LB_TOKEN_TEST".into())]),
        }
    );
    let Request::Http { body, .. } = render(&http(None), &vars(), 10) else {
        panic!("an HTTP actuator renders an HTTP request");
    };
    assert_eq!(body, None);
}

#[test]
fn shown_is_one_line_and_names_secrets_never_their_values() {
    // `shown` never reads the environment, so only the variable's name can appear. That the
    // value sent stays out of it is tested with a real secret in tests/traffic_haproxy.rs (setting
    // one here would race with other unit tests reading the environment).
    let request = render(&http(Some("{\"green\": {green}}\n")), &vars(), 10);
    let shown = request.shown();
    assert_eq!(
        shown,
        r#"PUT https://lb.example//run/haproxy.sock/weights?green=10 · Authorization: $LB_TOKEN_TEST · body {"green": 10}"#
    );

    let script = Request::Command("set -e\n  apply \x1b[31m{green}\n\nverify".into());
    assert_eq!(script.shown(), "set -e ⏎ apply {green} ⏎ verify");
}

#[test]
fn a_weight_is_the_first_whole_number_from_0_to_100() {
    assert_eq!(parse_weight("10 (initial 0)"), Ok(10));
    assert_eq!(parse_weight("weight: 0\n"), Ok(0));
    assert_eq!(parse_weight("100"), Ok(100));
    for bad in [
        "",
        "No such server.",
        "101",
        "-5",
        "12.5",
        "99999999999999999999",
    ] {
        assert!(parse_weight(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        parse_weight("x 7.").ok(),
        Some(7),
        "a full stop ends a sentence"
    );
}

#[test]
fn native_weights_are_the_percentages_and_a_split_says_its_rounding() {
    use super::native::{Split, weights_for};
    assert_eq!(weights_for(0), (100, 0));
    assert_eq!(weights_for(10), (90, 10));
    assert_eq!(weights_for(100), (0, 100));
    let exact = Split::new(10.0, "weights blue 90, green 10".into());
    assert_eq!(exact.whole(), 10);
    assert_eq!(exact.describe(), "green 10% (weights blue 90, green 10)");
    let by_hand = Split::new(55.0 * 100.0 / 255.0, "weights blue 200, green 55".into());
    assert_eq!(by_hand.whole(), 22);
    assert_eq!(
        by_hand.describe(),
        "green 21.6%, rounded to 22% (weights blue 200, green 55)"
    );
}

#[test]
fn what_aws_answers_is_cleaned_before_it_is_shown() {
    let split = super::native::Split::new(10.0, "canary \x1b[2Jdep\u{202e}-1\nat 10%".into());
    assert_eq!(split.detail, "canary dep-1 at 10%");
}

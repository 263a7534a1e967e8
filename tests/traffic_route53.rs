//! The native Route 53 actuator against moto's server: weighted records shifted 10 → 50 → 100
//! through the cockpit in a pty and rolled back, read back with the SDK after each; and the
//! stale-write refusal, which moto does not enforce (it deletes a record whatever values the
//! DELETE carries), so it is checked on the batch the actuator builds.

mod support;

use std::sync::OnceLock;

use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};
use flightdeck::actions::traffic::{Pair, change_batch, native};
use flightdeck::runbook::Mechanism;
use support::aws_traffic;
use support::moto::Moto;

/// One moto server for the binary: its startup takes seconds.
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

fn record(set: &str, weight: i64, ip: &str) -> ResourceRecordSet {
    ResourceRecordSet::builder()
        .name("api.shop.example.")
        .r#type(RrType::A)
        .set_identifier(set)
        .weight(weight)
        .ttl(60)
        .resource_records(ResourceRecord::builder().value(ip).build().unwrap())
        .build()
        .unwrap()
}

/// A zone of its own with blue (weight 100) and green (weight 0): its id. The records are
/// made with UPSERT: moto refuses a CREATE identical to one in its change log while any record
/// of the name exists, even one deleted in between (AWS does not), and the rollback's CREATE
/// of blue at 100 is identical to a CREATE of the starting state.
async fn zone(client: &Client, name: &str) -> String {
    let zone = client
        .create_hosted_zone()
        .name(name)
        .caller_reference(name)
        .send()
        .await
        .expect("CreateHostedZone");
    let id = zone.hosted_zone().unwrap().id().to_string();
    let mut batch = ChangeBatch::builder();
    for r in [
        record("blue", 100, "10.0.1.10"),
        record("green", 0, "10.0.2.10"),
    ] {
        let mut r = r;
        r.name = format!("api.{name}.");
        batch = batch.changes(
            Change::builder()
                .action(ChangeAction::Upsert)
                .resource_record_set(r)
                .build()
                .unwrap(),
        );
    }
    client
        .change_resource_record_sets()
        .hosted_zone_id(&id)
        .change_batch(batch.build().unwrap())
        .send()
        .await
        .expect("create the weighted records");
    id
}

fn mechanism(zone_id: &str, name: &str) -> Mechanism {
    Mechanism::Route53 {
        zone_id: zone_id.into(),
        record_name: format!("api.{name}"),
        record_type: "A".into(),
        blue_set: "blue".into(),
        green_set: "green".into(),
    }
}

#[test]
fn the_cockpit_shifts_weighted_records_and_rolls_them_back() {
    let moto = moto();
    let rt = runtime();
    let config = aws_traffic::config(&moto.endpoint());
    let name = "walk.shop.example";
    let zone_id = rt.block_on(zone(&Client::new(&config), name));
    let traffic = format!(
        "kind = \"route53\"\nzone_id = \"{zone_id}\"\nrecord_name = \"api.{name}\"\nrecord_type = \"A\"\nblue_set = \"blue\"\ngreen_set = \"green\""
    );
    let mech = mechanism(&zone_id, name);
    let journal = aws_traffic::walk(
        &moto.endpoint(),
        &traffic,
        "route53 ChangeResourceRecordSets",
        |_| {
            let split = rt
                .block_on(native::read(&config, &mech))
                .expect("read back");
            split.whole()
        },
    );
    for green in [10, 50, 100] {
        assert!(
            journal.contains(&format!(r#""to_green":{green}"#)),
            "{journal}"
        );
        assert!(
            journal.contains(&format!(
                "read back green {green}% (weights blue {}, green {green})",
                100 - green
            )),
            "the result says what is in force: {journal}"
        );
    }
    assert!(journal.contains(r#""type":"rollback_ended","completed":true"#));
}

/// Moto deletes a weighted record whatever the DELETE says, so the refusal AWS makes (a DELETE
/// must match the record in force exactly, or the whole batch fails) is checked on the request
/// the actuator builds: each DELETE carries the record exactly as it was read, weight, TTL and
/// values included, and comes before the CREATE of its replacement.
#[test]
fn the_batch_deletes_each_record_exactly_as_read_so_a_changed_one_fails_it() {
    let read = Pair {
        blue: record("blue", 90, "10.0.1.10"),
        green: record("green", 10, "10.0.2.10"),
    };
    let batch = change_batch(&read, 50);
    let changes = batch.changes();
    assert_eq!(changes.len(), 4, "{changes:?}");
    assert_eq!(changes[0].action(), &ChangeAction::Delete);
    assert_eq!(
        changes[0].resource_record_set(),
        Some(&read.blue),
        "blue as read"
    );
    assert_eq!(changes[1].action(), &ChangeAction::Create);
    assert_eq!(changes[1].resource_record_set().unwrap().weight(), Some(50));
    assert_eq!(changes[2].action(), &ChangeAction::Delete);
    assert_eq!(
        changes[2].resource_record_set(),
        Some(&read.green),
        "green as read"
    );
    assert_eq!(changes[3].resource_record_set().unwrap().weight(), Some(50));
    // Everything but the weight is kept: the record still answers with the same address.
    let mut created = changes[3].resource_record_set().unwrap().clone();
    created.weight = Some(10);
    assert_eq!(created, read.green);

    // Someone moved green to 30 since: the record in force no longer matches the DELETE.
    let in_force = record("green", 30, "10.0.2.10");
    assert_ne!(changes[2].resource_record_set(), Some(&in_force));
}

#[test]
fn a_missing_record_or_zone_is_one_plain_line() {
    let moto = moto();
    let rt = runtime();
    let config = aws_traffic::config(&moto.endpoint());
    let name = "missing.shop.example";
    let zone_id = rt.block_on(zone(&Client::new(&config), name));
    let mut mech = mechanism(&zone_id, name);
    if let Mechanism::Route53 { green_set, .. } = &mut mech {
        *green_set = "teal".into();
    }
    let err = rt
        .block_on(native::shift(
            &config,
            &mech,
            10,
            std::time::Duration::from_secs(10),
        ))
        .unwrap_err();
    assert_eq!(
        err,
        format!("no A record api.{name} with set identifier `teal` in zone {zone_id}")
    );
    // Nothing was written: blue still has everything.
    let split = rt
        .block_on(native::read(&config, &mechanism(&zone_id, name)))
        .unwrap();
    assert_eq!(split.whole(), 0);

    let err = rt
        .block_on(native::read(&config, &mechanism("Z0NOSUCHZONE", name)))
        .unwrap_err();
    assert!(
        !err.contains('\n') && err.starts_with("NoSuchHostedZone"),
        "{err}"
    );
}

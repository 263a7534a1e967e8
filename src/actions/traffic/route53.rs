//! Route 53 weighted records: two records of one name and type, told apart by their set
//! identifiers. A shift is one `ChangeResourceRecordSets` batch that deletes each record exactly
//! as it was read and creates it again with its new weight. Route 53 applies a batch whole or
//! not at all, and a DELETE must match the record in force to the last value, so a record that
//! someone changed since it was read fails the batch instead of being overwritten. Then the
//! change is waited for until `INSYNC`, and the records are read again.

use std::time::Duration;

use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ChangeStatus, ResourceRecordSet, RrType,
};
use tokio::time::Instant;

use super::aws_error::describe;
use super::native::{Split, weights_for};

/// The mechanism's fields, borrowed from the runbook model.
pub struct Records<'a> {
    pub zone_id: &'a str,
    pub name: &'a str,
    pub record_type: &'a str,
    pub blue_set: &'a str,
    pub green_set: &'a str,
}

/// The two records as Route 53 holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub blue: ResourceRecordSet,
    pub green: ResourceRecordSet,
}

impl Pair {
    pub fn split(&self) -> Split {
        let (b, g) = (
            self.blue.weight.unwrap_or(0),
            self.green.weight.unwrap_or(0),
        );
        // Route 53 answers records that all weigh 0 with equal probability.
        let green = if b + g == 0 {
            50.0
        } else {
            g as f64 * 100.0 / (b + g) as f64
        };
        Split::new(green, format!("weights blue {b}, green {g}"))
    }
}

/// `www.example.com` and `www.example.com.` are one name; Route 53 answers with the dot and
/// in lower case, and writes `*` as `\052`.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim_end_matches('.')
            .replace("\\052", "*")
            .to_ascii_lowercase()
    };
    norm(a) == norm(b)
}

/// The blue and green records among those listed; a missing one, or one that is not weighted,
/// is an error naming it.
pub fn find(records: &[ResourceRecordSet], want: &Records) -> Result<Pair, String> {
    let pick = |set: &str| -> Result<ResourceRecordSet, String> {
        let found = records
            .iter()
            .find(|r| {
                same_name(&r.name, want.name)
                    && r.r#type.as_str() == want.record_type
                    && r.set_identifier.as_deref() == Some(set)
            })
            .ok_or_else(|| {
                format!(
                    "no {} record {} with set identifier `{set}` in zone {}",
                    want.record_type, want.name, want.zone_id
                )
            })?;
        if found.weight.is_none() {
            return Err(format!(
                "the record `{set}` of {} is not a weighted record",
                want.name
            ));
        }
        Ok(found.clone())
    };
    Ok(Pair {
        blue: pick(want.blue_set)?,
        green: pick(want.green_set)?,
    })
}

/// The batch that puts `green` percent in force: for each record, a DELETE of it exactly as
/// read and a CREATE of the same record with its new weight. Pure: the refusal of a stale
/// write rests on the DELETE carrying every value read, which tests check here.
pub fn change_batch(read: &Pair, green: u8) -> ChangeBatch {
    let (blue_weight, green_weight) = weights_for(green);
    let mut changes = Vec::new();
    for (record, weight) in [(&read.blue, blue_weight), (&read.green, green_weight)] {
        let mut new = record.clone();
        new.weight = Some(weight as i64);
        changes.push(change(ChangeAction::Delete, record.clone()));
        changes.push(change(ChangeAction::Create, new));
    }
    ChangeBatch::builder()
        .comment(format!("flightdeck: green {green}%"))
        .set_changes(Some(changes))
        .build()
        .expect("changes are set")
}

fn change(action: ChangeAction, record: ResourceRecordSet) -> Change {
    Change::builder()
        .action(action)
        .resource_record_set(record)
        .build()
        .expect("action and record are set")
}

/// Reads the two records.
pub async fn read(client: &Client, want: &Records<'_>) -> Result<Pair, String> {
    let answer = client
        .list_resource_record_sets()
        .hosted_zone_id(want.zone_id)
        .start_record_name(want.name)
        .start_record_type(RrType::from(want.record_type))
        .max_items(100)
        .send()
        .await
        .map_err(|e| describe(&e, "route53:ListResourceRecordSets"))?;
    find(answer.resource_record_sets(), want)
}

/// Reads, writes the batch, waits for `INSYNC` until `deadline`, reads again. `Ok` says what
/// is in force; a batch Route 53 refuses because a record changed is said in those words.
pub async fn shift(
    client: &Client,
    want: &Records<'_>,
    green: u8,
    deadline: Instant,
) -> Result<Split, String> {
    let before = read(client, want).await?;
    let answer = client
        .change_resource_record_sets()
        .hosted_zone_id(want.zone_id)
        .change_batch(change_batch(&before, green))
        .send()
        .await
        .map_err(|e| {
            use aws_sdk_route53::error::ProvideErrorMetadata;
            // AWS says why a DELETE failed: the values do not match, or the record is gone.
            let stale = e.code() == Some("InvalidChangeBatch")
                && e.message().is_some_and(|m| m.contains("Tried to delete"));
            if stale {
                format!(
                    "the record changed since it was read ({}); nothing was written: look, then shift again",
                    describe(&e, "route53:ChangeResourceRecordSets")
                )
            } else {
                describe(&e, "route53:ChangeResourceRecordSets")
            }
        })?;
    let mut info = answer.change_info().cloned();
    while let Some(change) = &info {
        if change.status() == &ChangeStatus::Insync {
            break;
        }
        if Instant::now() + Duration::from_secs(2) > deadline {
            return Err(format!(
                "the change {} was accepted but is not INSYNC yet: the read-back shows when it is",
                change.id()
            ));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        info = client
            .get_change()
            .id(change.id())
            .send()
            .await
            .map_err(|e| describe(&e, "route53:GetChange"))?
            .change_info()
            .cloned();
    }
    Ok(read(client, want).await?.split())
}

//! ALB weighted target groups: the forward action of a listener's default actions (or of one
//! rule) spreads requests over target groups by weight (0 to 999). A shift reads the actions,
//! changes only the two weights, writes the actions back and reads them again. It refuses when
//! the forward action names a target group other than the two of the runbook: someone changed
//! the listener, and writing blue and green over it would drop their target group unseen.

use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, ForwardActionConfig, TargetGroupTuple,
};

use super::aws_error::describe;
use super::native::{Split, weights_for};
use crate::runbook::AlbListener;

/// The mechanism's fields, borrowed from the runbook model.
pub struct Forward<'a> {
    pub listener: &'a AlbListener,
    pub blue: &'a str,
    pub green: &'a str,
}

impl Forward<'_> {
    /// Where the actions live, for messages: `listener arn:…` or `rule arn:…`.
    fn named(&self) -> String {
        match self.listener {
            AlbListener::Listener(arn) => format!("listener {arn}"),
            AlbListener::Rule(arn) => format!("rule {arn}"),
        }
    }
}

/// The (target group, weight) pairs of the forward action among `actions`. A forward action
/// with one `TargetGroupArn` and no `ForwardConfig` sends everything to it.
fn forwards(actions: &[Action]) -> Option<Vec<(String, i32)>> {
    let forward = actions
        .iter()
        .find(|a| a.r#type.as_ref() == Some(&ActionTypeEnum::Forward))?;
    let tuples = forward
        .forward_config
        .as_ref()
        .and_then(|c| c.target_groups.as_ref())
        .filter(|t| !t.is_empty());
    Some(match tuples {
        Some(tuples) => tuples
            .iter()
            .map(|t| {
                (
                    t.target_group_arn.clone().unwrap_or_default(),
                    t.weight.unwrap_or(1),
                )
            })
            .collect(),
        None => vec![(forward.target_group_arn.clone().unwrap_or_default(), 1)],
    })
}

/// The split in force, or why it cannot be shifted: no forward action, or a target group in it
/// that is neither blue nor green.
pub fn split(actions: &[Action], want: &Forward) -> Result<Split, String> {
    let groups =
        forwards(actions).ok_or_else(|| format!("the {} has no forward action", want.named()))?;
    if let Some((foreign, _)) = groups
        .iter()
        .find(|(arn, _)| arn != want.blue && arn != want.green)
    {
        return Err(format!(
            "the {} forwards to a target group that is neither blue nor green ({foreign}): refusing to overwrite it",
            want.named()
        ));
    }
    let weight = |arn: &str| -> i32 {
        groups
            .iter()
            .filter(|(a, _)| a == arn)
            .map(|(_, w)| *w)
            .sum()
    };
    let (b, g) = (weight(want.blue), weight(want.green));
    if b + g <= 0 {
        return Err(format!(
            "the {} forwards with weight 0 to both",
            want.named()
        ));
    }
    Ok(Split::new(
        g as f64 * 100.0 / (b + g) as f64,
        format!("weights blue {b}, green {g}"),
    ))
}

/// The actions with the forward action's weights set for `green` percent, everything else
/// (other actions, stickiness, order) as read. Refuses as `split` does. Pure: tests check the
/// refusal on the request built, since the emulator does not check target groups as AWS does.
pub fn with_weights(actions: &[Action], want: &Forward, green: u8) -> Result<Vec<Action>, String> {
    split(actions, want)?;
    let (blue_weight, green_weight) = weights_for(green);
    let tuple = |arn: &str, weight: u8| {
        TargetGroupTuple::builder()
            .target_group_arn(arn)
            .weight(weight as i32)
            .build()
    };
    Ok(actions
        .iter()
        .map(|action| {
            if action.r#type.as_ref() != Some(&ActionTypeEnum::Forward) {
                return action.clone();
            }
            let mut action = action.clone();
            let stickiness = action
                .forward_config
                .as_ref()
                .and_then(|c| c.target_group_stickiness_config.clone());
            // With a ForwardConfig of two groups the single-group field must go.
            action.target_group_arn = None;
            action.forward_config = Some(
                ForwardActionConfig::builder()
                    .target_groups(tuple(want.blue, blue_weight))
                    .target_groups(tuple(want.green, green_weight))
                    .set_target_group_stickiness_config(stickiness)
                    .build(),
            );
            action
        })
        .collect())
}

/// The actions in force on the listener (its default actions) or the rule.
pub async fn actions(client: &Client, want: &Forward<'_>) -> Result<Vec<Action>, String> {
    match want.listener {
        AlbListener::Listener(arn) => {
            let answer = client
                .describe_listeners()
                .listener_arns(arn)
                .send()
                .await
                .map_err(|e| describe(&e, "elasticloadbalancing:DescribeListeners"))?;
            let listener = answer
                .listeners()
                .first()
                .ok_or_else(|| format!("no listener {arn}"))?;
            Ok(listener.default_actions().to_vec())
        }
        AlbListener::Rule(arn) => {
            let answer = client
                .describe_rules()
                .rule_arns(arn)
                .send()
                .await
                .map_err(|e| describe(&e, "elasticloadbalancing:DescribeRules"))?;
            let rule = answer
                .rules()
                .first()
                .ok_or_else(|| format!("no rule {arn}"))?;
            Ok(rule.actions().to_vec())
        }
    }
}

pub async fn read(client: &Client, want: &Forward<'_>) -> Result<Split, String> {
    split(&actions(client, want).await?, want)
}

/// Reads, writes the changed actions, reads again.
pub async fn shift(client: &Client, want: &Forward<'_>, green: u8) -> Result<Split, String> {
    let new = with_weights(&actions(client, want).await?, want, green)?;
    match want.listener {
        AlbListener::Listener(arn) => {
            client
                .modify_listener()
                .listener_arn(arn)
                .set_default_actions(Some(new))
                .send()
                .await
                .map_err(|e| describe(&e, "elasticloadbalancing:ModifyListener"))?;
        }
        AlbListener::Rule(arn) => {
            client
                .modify_rule()
                .rule_arn(arn)
                .set_actions(Some(new))
                .send()
                .await
                .map_err(|e| describe(&e, "elasticloadbalancing:ModifyRule"))?;
        }
    }
    read(client, want).await
}

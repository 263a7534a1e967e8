//! AWS configuration the way AWS users expect it: the standard credential chain (environment,
//! profiles, SSO, the bastion's instance role), a region and profile per source or from the
//! runbook, and the standard endpoint variables (`AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_CLOUDWATCH`, `AWS_ENDPOINT_URL_COST_EXPLORER`), all through `aws-config`.

use std::collections::HashMap;
use std::error::Error as StdError;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use tokio::sync::Mutex;

/// Where one group of AWS sources points: region and profile, `None` meaning the SDK's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub region: Option<String>,
    pub profile: Option<String>,
}

/// One loaded `SdkConfig` per target, loaded on first use (loading reads files and may probe
/// the instance metadata service, so it is done once, not per poll).
#[derive(Default)]
pub struct Configs {
    loaded: Mutex<HashMap<Target, SdkConfig>>,
}

impl Configs {
    /// Configs that always answer `config` (tests and emulators point here without env).
    pub fn preset(target: Target, config: SdkConfig) -> Self {
        Self {
            loaded: Mutex::new(HashMap::from([(target, config)])),
        }
    }

    pub async fn get(&self, target: &Target) -> SdkConfig {
        let mut loaded = self.loaded.lock().await;
        if let Some(config) = loaded.get(target) {
            return config.clone();
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &target.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &target.profile {
            loader = loader.profile_name(profile);
        }
        let config = loader.load().await;
        loaded.insert(target.clone(), config.clone());
        config
    }
}

/// The first error of type `T` in the source chain.
pub fn find<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut next: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// The deepest message of the chain: the specific cause, not "dispatch failure".
pub fn innermost(err: &(dyn StdError + 'static)) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

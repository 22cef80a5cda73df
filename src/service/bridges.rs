//! Bridges: create, read, rename and delete them, and connect a provider configuration's
//! number to one (or take it off). All numbers of a bridge belong to one configuration, whose
//! provider is the bridge's provider; a number is on at most one bridge.

use crate::domain::bridge::{BridgeSlug, BridgeState, NewBridge};
use crate::domain::phone::E164;
use crate::error::{Error, Result};
use crate::service::{AuditAction, Patchbay, VersionRetries, check_if_match, names, now, version_race};
use crate::storage::{
    BridgeNumberRecord, BridgeRecord, ConfigurationKey, Connected, Duplicate, Organization, StorageError,
};

pub const BRIDGE_NOT_FOUND: &str = "Bridge not found.";
pub const CREATE_FAILED: &str = "Bridge creation failed.";
pub const UPDATE_FAILED: &str = "Bridge update failed.";
pub const DELETE_FAILED: &str = "Bridge deletion failed.";
pub const CONNECT_FAILED: &str = "Failed to connect provider.";
pub const DISCONNECT_FAILED: &str = "Failed to disconnect provider.";
/// The disconnect page's own reason.
pub const NOT_CONNECTED: &str = "Phone number is not connected to this bridge";

/// A bridge with the numbers on it.
#[derive(Debug, Clone)]
pub struct Bridge {
    pub record: BridgeRecord,
    pub numbers: Vec<BridgeNumberRecord>,
}

impl Bridge {
    /// The slug of the provider whose configuration the bridge's numbers belong to.
    pub fn provider(&self) -> Option<&str> {
        self.numbers.first().map(|n| n.provider.as_str())
    }

    pub fn state(&self) -> BridgeState {
        BridgeState::of(self.numbers.len())
    }
}

fn detach_event(org_id: i64, bridge_id: i64) -> crate::storage::AuditEvent {
    AuditAction::BridgeNumberDisconnected.event(Some(org_id), Some(bridge_id.to_string()), names(&["numbers"]))
}

impl Patchbay {
    pub async fn create_bridge(&self, org: &Organization, new: NewBridge) -> Result<Bridge> {
        let audit = AuditAction::BridgeCreated
            .event(Some(org.id), None, names(&["name", "slug"]))
            .with_data(serde_json::json!({"name": new.name, "slug": new.slug.as_str(), "state": "DRAFT"}));
        match self
            .store
            .insert_bridge(org.id, &new.slug, &new.name, now(), &audit)
            .await
        {
            Ok(record) => Ok(Bridge {
                record,
                numbers: Vec::new(),
            }),
            Err(StorageError::Duplicate(Duplicate::Bridge)) => Err(Error::refused(
                CREATE_FAILED,
                "slug",
                "A bridge with this slug already exists.",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// A page of the organization's bridges (`limit` from `offset`) with their numbers, and how
    /// many bridges it has.
    pub async fn list_bridges(&self, org: &Organization, limit: i64, offset: i64) -> Result<(Vec<Bridge>, i64)> {
        let (records, total) = self.store.list_bridges(org.id, limit, offset).await?;
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return Ok((Vec::new(), total));
        };
        let mut numbers = self
            .store
            .list_bridge_numbers(org.id, Some((first.id, last.id)))
            .await?;
        let bridges = records
            .into_iter()
            .map(|record| {
                let (mine, rest) = numbers.drain(..).partition(|n| n.bridge_id == record.id);
                numbers = rest;
                Bridge { record, numbers: mine }
            })
            .collect();
        Ok((bridges, total))
    }

    pub async fn get_bridge(&self, org: &Organization, slug: &str) -> Result<Bridge> {
        let record = self
            .store
            .get_bridge(org.id, slug)
            .await?
            .ok_or(Error::NotFound(BRIDGE_NOT_FOUND))?;
        let numbers = self
            .store
            .list_bridge_numbers(org.id, Some((record.id, record.id)))
            .await?;
        Ok(Bridge { record, numbers })
    }

    /// Applies a PATCH body (only `name` changes). Without `if_match` a concurrent change is
    /// retried on the fresh row; with it, a stale version is a 412.
    pub async fn patch_bridge(
        &self,
        org: &Organization,
        slug: &str,
        body: &serde_json::Map<String, serde_json::Value>,
        if_match: Option<i64>,
    ) -> Result<Bridge> {
        // The body is judged before the precondition: a request that fails on its own answers
        // that failure, not 412 (RFC 9110 §13.2.1). The path's slug is the bridge's slug.
        let name = crate::domain::bridge::parse_bridge_patch(slug, body).map_err(|errors| Error::Validation {
            message: UPDATE_FAILED.into(),
            errors,
        })?;
        let mut retries = VersionRetries::new("The bridge is being changed concurrently; try again.");
        loop {
            retries.attempt()?;
            let current = self.get_bridge(org, slug).await?;
            check_if_match(if_match, current.record.version)?;
            let Some(name) = name.clone() else {
                return Ok(current);
            };
            let audit = AuditAction::BridgeUpdated
                .event(Some(org.id), Some(current.record.id.to_string()), names(&["name"]))
                .with_data(serde_json::json!({"name": name, "slug": current.record.slug.as_str()}));
            let written = self
                .store
                .rename_bridge(org.id, current.record.id, current.record.version, &name, now(), &audit)
                .await;
            if let Some(record) = version_race(written, if_match, BRIDGE_NOT_FOUND)? {
                return Ok(Bridge {
                    record,
                    numbers: current.numbers,
                });
            }
        }
    }

    /// Deletes a bridge. One that still has numbers is refused (409 naming them) unless
    /// `force`, which takes them off in the same transaction.
    pub async fn delete_bridge(
        &self,
        org: &Organization,
        slug: &str,
        if_match: Option<i64>,
        force: bool,
    ) -> Result<()> {
        let current = self.get_bridge(org, slug).await?;
        check_if_match(if_match, current.record.version)?;
        if !current.numbers.is_empty() && !force {
            return Err(Error::Refused {
                message: "The bridge still has numbers; disconnect them first or delete with ?force=true.".into(),
                errors: [(
                    "numbers".to_owned(),
                    current
                        .numbers
                        .iter()
                        .map(|n| format!("{} is connected to this bridge.", n.phone_number))
                        .collect(),
                )]
                .into(),
            });
        }
        let id = current.record.id;
        let detaches: Vec<_> = current.numbers.iter().map(|_| detach_event(org.id, id)).collect();
        let audit = AuditAction::BridgeDeleted
            .event(Some(org.id), Some(id.to_string()), vec![])
            .with_data(serde_json::json!({"name": current.record.name, "slug": current.record.slug.as_str()}));
        // Without If-Match, the version read above: a number connected meanwhile is not
        // deleted along unseen (the retry sees it and refuses).
        let expected = if force { if_match } else { Some(current.record.version) };
        match self.store.delete_bridge(org.id, id, expected, &detaches, &audit).await {
            Err(StorageError::NotFound) => Err(Error::NotFound(BRIDGE_NOT_FOUND)),
            Err(StorageError::VersionMismatch) if if_match.is_none() => Err(Error::Conflict(
                "The bridge changed while it was being deleted; try again.",
            )),
            other => Ok(other?),
        }
    }

    /// Connects a number of one of the organization's configurations to the bridge. Connecting
    /// a number that is on this bridge already changes nothing.
    pub async fn connect_provider(
        &self,
        org: &Organization,
        slug: &str,
        provider_config_id: i64,
        number: &E164,
        if_match: Option<i64>,
    ) -> Result<Bridge> {
        let bridge = self.get_bridge(org, slug).await?;
        check_if_match(if_match, bridge.record.version)?;
        let configuration = self
            .store
            .get_configuration(org.id, ConfigurationKey::Id(provider_config_id))
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    CONNECT_FAILED,
                    "provider_config_id",
                    "Provider configuration not found.",
                )
            })?;
        let not_its_number = || {
            Error::invalid(
                CONNECT_FAILED,
                "phone_number",
                format!(
                    "{number} is not a number of provider configuration {provider_config_id}; import or add it to \
                     that configuration first."
                ),
            )
        };
        let stored = self
            .store
            .find_org_number(org.id, number)
            .await?
            .filter(|n| n.number.configuration_id == configuration.id)
            .ok_or_else(not_its_number)?;
        let audit = AuditAction::BridgeNumberConnected
            .event(
                Some(org.id),
                Some(bridge.record.id.to_string()),
                names(&["provider_config_id", "phone_number"]),
            )
            .with_data(serde_json::json!({
                "bridge_slug": bridge.record.slug.as_str(),
                "phone_number": number.as_str(),
                "number_id": stored.number.id,
                "provider_config_id": configuration.id,
                "provider": configuration.provider,
            }));
        let outcome = self
            .store
            .connect_number(
                org.id,
                bridge.record.id,
                if_match,
                stored.number.id,
                configuration.id,
                now(),
                &audit,
            )
            .await;
        let on_other = |slug: Option<String>| {
            let where_ = slug.map_or_else(|| "another bridge".to_owned(), |s| format!("bridge {s}"));
            Error::refused(
                CONNECT_FAILED,
                "phone_number",
                format!("{number} is already connected to {where_}; disconnect it there first."),
            )
        };
        match outcome {
            Ok(Connected::Assigned { .. } | Connected::AlreadyHere) => self.get_bridge(org, slug).await,
            Ok(Connected::OnOtherBridge(slug)) => Err(on_other(Some(slug))),
            Ok(Connected::NumberGone) => Err(not_its_number()),
            Ok(Connected::OtherConfiguration(other)) => Err(Error::refused(
                CONNECT_FAILED,
                "provider_config_id",
                format!(
                    "This bridge is connected to provider configuration {other}; a bridge connects to one provider \
                     configuration, so disconnect its numbers first."
                ),
            )),
            Err(StorageError::Duplicate(Duplicate::BridgeNumber)) => Err(on_other(None)),
            Err(StorageError::NotFound) => Err(Error::NotFound(BRIDGE_NOT_FOUND)),
            Err(e) => Err(e.into()),
        }
    }

    /// Takes a number off the bridge (400 with the page's reason when it is not on it).
    pub async fn disconnect_provider(
        &self,
        org: &Organization,
        slug: &str,
        number: &E164,
        if_match: Option<i64>,
    ) -> Result<Bridge> {
        let bridge = self.get_bridge(org, slug).await?;
        check_if_match(if_match, bridge.record.version)?;
        let not_connected = || Error::invalid(DISCONNECT_FAILED, "phone_number", NOT_CONNECTED);
        let on_it = bridge
            .numbers
            .iter()
            .find(|n| n.phone_number == *number)
            .ok_or_else(not_connected)?;
        let audit = detach_event(org.id, bridge.record.id);
        let removed = self
            .store
            .disconnect_number(org.id, bridge.record.id, if_match, on_it.number_id, now(), &audit)
            .await;
        match removed {
            Ok(true) => self.get_bridge(org, slug).await,
            Ok(false) => Err(not_connected()),
            Err(StorageError::NotFound) => Err(Error::NotFound(BRIDGE_NOT_FOUND)),
            Err(e) => Err(e.into()),
        }
    }

    /// Refuses removing a configuration whose numbers are on bridges (409 naming them) unless
    /// `force`, which takes them off first.
    pub(crate) async fn release_configuration_numbers(
        &self,
        org_id: i64,
        configuration_id: i64,
        force: bool,
    ) -> Result<()> {
        let bridged = self.store.bridged_numbers_of_configuration(configuration_id).await?;
        if bridged.is_empty() {
            return Ok(());
        }
        if !force {
            return Err(Error::Refused {
                message: "Numbers of this configuration are connected to bridges; disconnect them first or delete \
                          with ?force=true."
                    .into(),
                errors: [(
                    "numbers".to_owned(),
                    bridged
                        .iter()
                        .map(|(number, slug)| format!("{number} is connected to bridge {slug}."))
                        .collect(),
                )]
                .into(),
            });
        }
        for (_, slug) in bridged {
            let Some(bridge) = self.store.get_bridge(org_id, &slug).await? else {
                continue;
            };
            for n in self
                .store
                .list_bridge_numbers(org_id, Some((bridge.id, bridge.id)))
                .await?
            {
                if n.configuration_id == configuration_id {
                    let audit = detach_event(org_id, bridge.id);
                    match self
                        .store
                        .disconnect_number(org_id, bridge.id, None, n.number_id, now(), &audit)
                        .await
                    {
                        Ok(_) | Err(StorageError::NotFound) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
        Ok(())
    }
}

/// A path segment that cannot be a slug is the same 404 as an unknown slug.
pub fn path_slug(raw: &str) -> Result<BridgeSlug> {
    BridgeSlug::parse(raw).map_err(|_| Error::NotFound(BRIDGE_NOT_FOUND))
}

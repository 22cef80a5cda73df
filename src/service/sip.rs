//! v1 SIP credentials and SIP phone numbers over the one data model: a manual SIP credential is
//! a `sip` provider configuration (its password the sealed `auth_token`, its extra fields in
//! the settings), a v1 Twilio provider's trunk credential shows as a read-only `provider`
//! credential, and SIP phone numbers are the numbers of those configurations, with agent links.

use std::collections::BTreeMap;

use secrecy::SecretString;
use uuid::Uuid;

use crate::domain::catalogue::Provider;
use crate::domain::configuration::{ConfigurationPatch, NewConfiguration, SecretFields};
use crate::domain::phone::E164;
use crate::domain::sip::{CredentialSource, LinkMode, SipServer, Transport};
use crate::error::{Error, Result};
use crate::service::twilio::SIP_USERNAME;
use crate::service::{AuditAction, Patchbay, Verify, VersionRetries, now};
use crate::storage::{
    AgentLinkRecord, ConfigurationRecord, Duplicate, NewPhoneNumber, Organization, SipNumberFilter, SipNumberListing,
    StorageError,
};

pub const CREDENTIAL_NOT_FOUND: &str = "SIP credential not found.";
pub const SIP_NUMBER_NOT_FOUND: &str = "Phone number not found.";
const SIP: &str = "sip";
/// The settings keys of a `sip` configuration that only the v1 family sets.
const DOMAIN: &str = "domain";
const DESCRIPTION: &str = "description";
const CPS_LIMIT: &str = "cps_limit";
const CPS_KEY: &str = "cps_key";
/// The configuration secret holding the SIP password (the v2 `sip` provider's field).
const PASSWORD: &str = "auth_token";

/// A validated create body.
#[derive(Debug)]
pub struct NewSipCredential {
    pub server: SipServer,
    pub domain: Option<SipServer>,
    pub auth_user: Option<String>,
    pub auth_password: Option<SecretString>,
    pub transport: Transport,
    pub description: Option<String>,
    pub cps_limit: Option<i64>,
    pub cps_key: Option<String>,
}

/// A validated PATCH body: `None` = not sent, `Some(None)` = cleared.
#[derive(Debug, Default)]
pub struct SipCredentialPatch {
    pub server: Option<SipServer>,
    pub domain: Option<Option<SipServer>>,
    pub auth_user: Option<Option<String>>,
    pub auth_password: Option<Option<SecretString>>,
    pub transport: Option<Transport>,
    pub description: Option<Option<String>>,
    pub cps_limit: Option<Option<i64>>,
    pub cps_key: Option<Option<String>>,
}

/// A SIP credential as the v1 family shows it (never its password): its record and what the
/// record says about the trunk (reached through `Deref`).
#[derive(Debug)]
pub struct SipCredential {
    pub record: ConfigurationRecord,
    pub trunk: TrunkSettings,
}

impl std::ops::Deref for SipCredential {
    type Target = TrunkSettings;

    fn deref(&self) -> &TrunkSettings {
        &self.trunk
    }
}

fn sip_provider() -> &'static Provider {
    Provider::by_slug(SIP).expect("the catalogue has the sip provider")
}

/// The account id a `sip` configuration has without a user name (`host:port/transport`).
fn derived_account(settings: &BTreeMap<String, String>) -> Option<String> {
    sip_provider().derive_account_sid(None, settings)
}

/// What a configuration says about its SIP trunk: a [`SipCredential`] without its record, read
/// by reference (call routing derives it on every outbound call; cloning the whole record for it
/// was a twentieth of that call's cost).
#[derive(Debug)]
pub struct TrunkSettings {
    pub source: CredentialSource,
    pub server: String,
    pub transport: String,
    pub domain: Option<String>,
    pub auth_user: Option<String>,
    pub description: Option<String>,
    pub cps_limit: Option<i64>,
    pub cps_key: Option<String>,
    pub provider_id: Option<Uuid>,
}

impl TrunkSettings {
    /// The credential's CPS limit and its shared key, if it has a limit: what call routing
    /// needs of the settings on every call (the rest is rendered once per cached route).
    pub fn cps(record: &ConfigurationRecord) -> Option<(i64, Option<&str>)> {
        if record.provider != SIP {
            return None;
        }
        let settings = &record.settings.0;
        let limit = settings.get(CPS_LIMIT)?.parse().ok()?;
        Some((limit, settings.get(CPS_KEY).map(String::as_str)))
    }

    pub fn of(record: &ConfigurationRecord) -> Self {
        let settings = &record.settings.0;
        let get = |k: &str| settings.get(k).cloned();
        if record.provider != SIP {
            // A v1 Twilio provider's trunk credential: its termination domain and generated user.
            let host = record
                .termination_uri
                .as_deref()
                .map(|u| u.trim_start_matches("sip:").to_owned())
                .unwrap_or_default();
            return Self {
                source: CredentialSource::Provider,
                server: host.clone(),
                transport: Transport::Udp.as_str().to_owned(),
                domain: Some(host),
                auth_user: get(SIP_USERNAME),
                description: record.name.clone(),
                cps_limit: None,
                cps_key: None,
                provider_id: Some(record.uuid),
            };
        }
        let auth_user =
            (Some(&record.account_sid) != derived_account(settings).as_ref()).then(|| record.account_sid.clone());
        Self {
            source: CredentialSource::Manual,
            server: SipServer::display(
                settings.get("host").map(String::as_str).unwrap_or_default(),
                settings.get("port").map(String::as_str),
            ),
            transport: get("transport").unwrap_or_else(|| Transport::Udp.as_str().to_owned()),
            domain: get(DOMAIN),
            auth_user,
            description: get(DESCRIPTION),
            // One reading of the limit, the one call routing enforces.
            cps_limit: Self::cps(record).map(|(limit, _)| limit),
            cps_key: get(CPS_KEY),
            provider_id: None,
        }
    }
}

impl From<ConfigurationRecord> for SipCredential {
    fn from(record: ConfigurationRecord) -> Self {
        let trunk = TrunkSettings::of(&record);
        Self { record, trunk }
    }
}

/// An agent and how it uses a number (`inbound`, `outbound`).
#[derive(Debug, Clone)]
pub struct AffectedAgent {
    pub agent_id: String,
    pub uses: Vec<String>,
}

/// A number and the agents its removal would cut off.
#[derive(Debug, Clone)]
pub struct NumberImpact {
    pub id: Uuid,
    pub phone_number: String,
    pub agents: Vec<AffectedAgent>,
}

/// The links of one number grouped by agent, in agent order.
fn agents_of(links: &[AgentLinkRecord], number_id: i64) -> Vec<AffectedAgent> {
    let mut by_agent: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for l in links.iter().filter(|l| l.number_id == number_id) {
        by_agent.entry(&l.agent_id).or_default().push(l.mode.clone());
    }
    by_agent
        .into_iter()
        .map(|(agent, mut uses)| {
            uses.sort();
            AffectedAgent {
                agent_id: agent.to_owned(),
                uses,
            }
        })
        .collect()
}

/// A 409 naming the agents linked to `number` (`agent (uses)`), unless there are none.
fn refuse_if_linked(number: &E164, agents: &[AffectedAgent]) -> Result<()> {
    if agents.is_empty() {
        return Ok(());
    }
    Err(Error::Refused {
        message: format!(
            "{number} is linked to agents; unlink them first or delete with ?force=true. Nothing was changed."
        ),
        errors: [(
            "affectedAgents".to_owned(),
            agents
                .iter()
                .map(|a| format!("{} ({})", a.agent_id, a.uses.join(", ")))
                .collect(),
        )]
        .into(),
    })
}

fn read_only() -> Error {
    Error::BadRequest(
        "This SIP credential was provisioned by a provider integration and is read-only here; change or delete \
         the provider (/api/v1/providers/{id}) instead."
            .into(),
    )
}

impl Patchbay {
    pub async fn list_sip_credentials(&self, org_id: i64, skip: i64, take: i64) -> Result<(Vec<SipCredential>, i64)> {
        let (rows, total) = self.store.list_sip_credentials(org_id, take, skip).await?;
        Ok((rows.into_iter().map(SipCredential::from).collect(), total))
    }

    pub async fn get_sip_credential(&self, org_id: i64, id: Uuid) -> Result<SipCredential> {
        Ok(self.sip_credential_record(org_id, id).await?.into())
    }

    async fn sip_credential_record(&self, org_id: i64, id: Uuid) -> Result<ConfigurationRecord> {
        self.store
            .get_sip_credential(org_id, id)
            .await?
            .ok_or(Error::NotFound(CREDENTIAL_NOT_FOUND))
    }

    /// Stored as a `sip` configuration (verified syntactically, as v2 does).
    pub async fn create_sip_credential(&self, org: &Organization, new: NewSipCredential) -> Result<SipCredential> {
        let mut settings = BTreeMap::new();
        settings.insert("host".to_owned(), new.server.host.clone());
        settings.insert("port".to_owned(), new.server.port_or_default().to_string());
        settings.insert("transport".to_owned(), new.transport.as_str().to_owned());
        let optional = [
            (DOMAIN, new.domain.map(|d| d.to_string())),
            (DESCRIPTION, new.description),
            (CPS_LIMIT, new.cps_limit.map(|n| n.to_string())),
            (CPS_KEY, new.cps_key),
        ];
        settings.extend(optional.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v?))));
        let mut secrets = SecretFields::default();
        if let Some(password) = new.auth_password {
            secrets.set(PASSWORD, password);
        }
        let account_sid = match new.auth_user {
            Some(user) => user,
            None => derived_account(&settings).unwrap_or_default(),
        };
        let config = NewConfiguration {
            provider: sip_provider(),
            account_sid,
            name: None,
            settings,
            secrets,
        };
        let record = self
            .create_configuration(org, config, Verify::Live)
            .await
            .map_err(duplicate_credential)?;
        Ok(record.into())
    }

    /// Changes the sent fields of a manual credential (the password is re-sealed); a race on
    /// the version is retried unless `if_match` pins it.
    pub async fn patch_sip_credential(
        &self,
        org: &Organization,
        id: Uuid,
        patch: SipCredentialPatch,
        if_match: Option<i64>,
    ) -> Result<SipCredential> {
        let mut retries = VersionRetries::new("The SIP credential is being changed concurrently; try again.");
        loop {
            retries.attempt()?;
            let current = self.sip_credential_record(org.id, id).await?;
            if current.provider != SIP {
                return Err(read_only());
            }
            crate::service::check_if_match(if_match, current.version)?;
            let config_patch = config_patch(&current, &patch);
            let written = self
                .write_patch(org, &current, sip_provider(), &config_patch, if_match, Verify::Live)
                .await
                .map_err(duplicate_credential)?;
            if let Some(done) = written {
                return Ok(done.into());
            }
        }
    }

    /// Deletes a manual credential; its numbers refuse it (409 naming them) unless `force`,
    /// which deletes them (and their agent links and bridge places) with it.
    pub async fn delete_sip_credential(
        &self,
        org: &Organization,
        id: Uuid,
        if_match: Option<i64>,
        force: bool,
    ) -> Result<()> {
        let current = self.sip_credential_record(org.id, id).await?;
        if current.provider != SIP {
            return Err(read_only());
        }
        crate::service::check_if_match(if_match, current.version)?;
        let impact = self.credential_impact(org.id, &current).await?;
        if !impact.is_empty() && !force {
            return Err(Error::Refused {
                message: "The SIP credential has phone numbers; delete them first or delete with ?force=true. \
                          Nothing was changed."
                    .into(),
                errors: [(
                    "phoneNumbers".to_owned(),
                    impact.iter().map(|n| n.phone_number.clone()).collect(),
                )]
                .into(),
            });
        }
        self.delete_configuration(org, current.id, if_match, true)
            .await
            .map_err(|e| match e {
                Error::NotFound(_) => Error::NotFound(CREDENTIAL_NOT_FOUND),
                other => other,
            })
    }

    /// The credential's numbers with the agents using each.
    pub async fn sip_credential_affected_agents(&self, org_id: i64, id: Uuid) -> Result<Vec<NumberImpact>> {
        let current = self.sip_credential_record(org_id, id).await?;
        self.credential_impact(org_id, &current).await
    }

    async fn credential_impact(&self, org_id: i64, credential: &ConfigurationRecord) -> Result<Vec<NumberImpact>> {
        let filter = SipNumberFilter {
            credentials_id: Some(credential.id),
            ..Default::default()
        };
        let (numbers, _) = self.store.list_sip_numbers(org_id, &filter, i64::MAX, 0).await?;
        let links = self.store.agent_links(org_id, true, credential.id).await?;
        Ok(numbers
            .into_iter()
            .map(|n| NumberImpact {
                id: n.number.uuid,
                phone_number: n.number.phone_number.to_string(),
                agents: agents_of(&links, n.number.id),
            })
            .collect())
    }

    pub async fn list_sip_numbers(
        &self,
        org_id: i64,
        filter: &SipNumberFilter<'_>,
        skip: i64,
        take: i64,
    ) -> Result<(Vec<SipNumberListing>, i64)> {
        Ok(self.store.list_sip_numbers(org_id, filter, take, skip).await?)
    }

    pub async fn get_sip_number(&self, org_id: i64, id: Uuid) -> Result<SipNumberListing> {
        self.store
            .get_sip_number(org_id, id)
            .await?
            .ok_or(Error::NotFound(SIP_NUMBER_NOT_FOUND))
    }

    /// Adds a number on a manual credential. Numbers of a provider are imported through it.
    pub async fn create_sip_number(
        &self,
        org_id: i64,
        phone_number: E164,
        credentials_id: Uuid,
        display_name: Option<String>,
        description: Option<String>,
    ) -> Result<SipNumberListing> {
        let credential = self
            .store
            .get_sip_credential(org_id, credentials_id)
            .await?
            .ok_or_else(|| Error::field("credentialsId", "No such SIP credential in this organization."))?;
        if credential.provider != SIP {
            return Err(Error::field(
                "credentialsId",
                "This credential belongs to a provider: import its numbers with \
                 POST /api/v1/providers/twilio/{id}/import-numbers.",
            ));
        }
        let new = NewPhoneNumber {
            uuid: Uuid::new_v4(),
            org_id,
            configuration_id: credential.id,
            phone_number,
            carrier_sid: None,
            created_at: now(),
            display_name,
            description,
        };
        let audit = AuditAction::PhoneNumberAdded.event(
            Some(org_id),
            Some(new.uuid.to_string()),
            crate::service::names(&["phone_number", "credentials_id"]),
        );
        self.check_number_quota(org_id).await?;
        match self.store.insert_phone_number(&new, &audit).await {
            Ok(_) => {}
            Err(StorageError::Duplicate(Duplicate::PhoneNumber)) => {
                return Err(Error::refused(
                    "The phone number could not be added.",
                    "phoneNumber",
                    "This number is already stored (in this or another organization).",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        self.get_sip_number(org_id, new.uuid).await
    }

    /// The agents using the number.
    pub async fn sip_number_affected_agents(
        &self,
        org_id: i64,
        id: Uuid,
    ) -> Result<(SipNumberListing, Vec<AffectedAgent>)> {
        let number = self.get_sip_number(org_id, id).await?;
        let links = self.store.agent_links(org_id, false, number.number.id).await?;
        let agents = agents_of(&links, number.number.id);
        Ok((number, agents))
    }

    /// Deletes a SIP phone number (detached from its Twilio trunk if it has one). Linked to an
    /// agent or on a bridge, only with `force`.
    pub async fn delete_sip_number(&self, org_id: i64, id: Uuid, if_match: Option<i64>, force: bool) -> Result<()> {
        let number = self.get_sip_number(org_id, id).await?;
        crate::service::check_if_match(if_match, number.number.version)?;
        self.remove_linked_number(org_id, number.number.id, if_match, force)
            .await
            .map_err(|e| match e {
                Error::NotFound(_) => Error::NotFound(SIP_NUMBER_NOT_FOUND),
                other => other,
            })
    }

    /// Removes a number of either v1 family: refused while agents use it unless `force`.
    pub(crate) async fn remove_linked_number(
        &self,
        org_id: i64,
        number_id: i64,
        if_match: Option<i64>,
        force: bool,
    ) -> Result<()> {
        let listing = self
            .store
            .get_org_number(org_id, number_id)
            .await?
            .ok_or(Error::NotFound(SIP_NUMBER_NOT_FOUND))?;
        if !force {
            let links = self.store.agent_links(org_id, false, number_id).await?;
            refuse_if_linked(&listing.number.phone_number, &agents_of(&links, number_id))?;
        }
        self.remove_number(org_id, &listing, if_match, force).await
    }

    /// Links (`agent_id` given) or unlinks an agent. Unlinking `replaceOutbound` needs the agent.
    pub async fn set_sip_number_link(
        &self,
        org_id: i64,
        id: Uuid,
        mode: LinkMode,
        agent_id: Option<&str>,
        link: bool,
        if_match: Option<i64>,
    ) -> Result<SipNumberListing> {
        let number = self.get_sip_number(org_id, id).await?;
        let action = if link {
            AuditAction::AgentLinked
        } else {
            AuditAction::AgentUnlinked
        };
        let audit = action.event(
            Some(org_id),
            Some(id.to_string()),
            vec![format!("agent_link.{}", mode.use_name())],
        );
        let written = self
            .store
            .set_agent_link(
                org_id,
                number.number.id,
                if_match,
                mode.use_name(),
                agent_id,
                link,
                now(),
                &audit,
            )
            .await;
        match written {
            Err(StorageError::NotFound) => return Err(Error::NotFound(SIP_NUMBER_NOT_FOUND)),
            Err(StorageError::Duplicate(_)) => {
                return Err(Error::Conflict("The agent link changed concurrently; try again."));
            }
            other => other?,
        }
        self.get_sip_number(org_id, id).await
    }
}

fn duplicate_credential(e: Error) -> Error {
    match e {
        Error::Conflict(_) => Error::Conflict(
            "A SIP credential with this authUser (or, without one, this server and transport) already exists.",
        ),
        Error::Validation { message, mut errors } => {
            // The shared sip check names v2 fields; say them in v1 words.
            if let Some(v) = errors.remove("host") {
                errors.insert("server".to_owned(), v);
            }
            if let Some(v) = errors.remove("account_sid") {
                errors.insert("authUser".to_owned(), v);
            }
            Error::Validation { message, errors }
        }
        other => other,
    }
}

/// The configuration patch a v1 credential patch amounts to. The user name follows the v2 rule:
/// without one, the account id is `host:port/transport`, re-derived when those change.
fn config_patch(current: &ConfigurationRecord, p: &SipCredentialPatch) -> ConfigurationPatch {
    let old = &current.settings.0;
    let had_user = Some(&current.account_sid) != derived_account(old).as_ref();
    let mut settings: BTreeMap<String, Option<String>> = BTreeMap::new();
    if let Some(server) = &p.server {
        settings.insert("host".to_owned(), Some(server.host.clone()));
        settings.insert("port".to_owned(), Some(server.port_or_default().to_string()));
    }
    if let Some(t) = p.transport {
        settings.insert("transport".to_owned(), Some(t.as_str().to_owned()));
    }
    let optional = [
        (DOMAIN, p.domain.as_ref().map(|d| d.as_ref().map(ToString::to_string))),
        (DESCRIPTION, p.description.clone()),
        (CPS_LIMIT, p.cps_limit.map(|n| n.map(|n| n.to_string()))),
        (CPS_KEY, p.cps_key.clone()),
    ];
    settings.extend(optional.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v?))));
    let mut after = old.clone();
    for (k, v) in &settings {
        match v {
            Some(v) => after.insert(k.clone(), v.clone()),
            None => after.remove(k),
        };
    }
    let account_sid = match &p.auth_user {
        Some(Some(user)) => Some(user.clone()),
        Some(None) => derived_account(&after),
        None if !had_user && (p.server.is_some() || p.transport.is_some()) => derived_account(&after),
        None => None,
    };
    let mut secrets = BTreeMap::new();
    if let Some(password) = &p.auth_password {
        secrets.insert(PASSWORD.to_owned(), password.clone());
    }
    ConfigurationPatch {
        account_sid,
        name: None,
        settings,
        secrets,
    }
}

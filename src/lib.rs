//! Patchbay: telephony provider accounts of many organizations, behind one REST API.
//!
//! Layout, dependencies pointing one way (`http | cli | worker -> service -> storage | carriers
//! -> domain`): `http` (routes, extractors, the error envelope), `worker` (the background
//! loop), `service` (every operation, the only user of the store), `domain` (catalogue,
//! validation, access rules, status types), `storage` (one trait, SQLite and PostgreSQL),
//! `crypto` (secrets at rest), `carriers` (one client per carrier), `config` (the settings).

pub mod carriers;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod http;
pub mod service;
pub mod storage;
pub mod telemetry;
pub mod worker;

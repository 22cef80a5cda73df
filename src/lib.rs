//! Patchbay: telephony provider accounts of many organizations, behind one REST API.
//!
//! Layout: `http` (routes, extractors, the error envelope), `service` (the operations both API
//! families share), `domain` (catalogue, validation, access rules), `storage` (one trait, SQLite
//! and PostgreSQL), `crypto` (secrets at rest), `carriers` (one client per carrier).

pub mod carriers;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod http;
pub mod service;
pub mod storage;
pub mod telemetry;
pub mod twilio_provider;
pub mod verifier;

//! Kredo: eligibility and credit-scoring rules for microcredit, as versioned rhai rule sets that
//! give the same decision, byte for byte, in the browser (wasm), the CLI and the staff server.
//!
//! Everything goes through one facade, [`api::Kredo`]: a request in, a decision out. The core
//! (all modules but `native` and `wasm`) does no I/O and reads no clock; CI builds it for
//! `wasm32-unknown-unknown` to prove it.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The facade and what its answers are made of: public.
pub mod api;
pub mod model;
// What the faces and the tests need besides the facade: a version's cases, the rules as one
// document (the page loads them so), the rules tree embedded in the binary, and the field
// declarations (forms, OpenAPI, CSV).
pub mod bundle;
pub mod cases;
#[cfg(feature = "native")]
pub mod embedded;
pub mod fields;
pub mod ruleset;
// The engine's inside: private to the crate.
mod date;
mod decide;
mod diag;
mod encode;
mod json;
mod money;
pub mod referral;
#[cfg(feature = "native")]
pub mod scorecard;
mod script;
mod suggest;
mod validate;

#[cfg(feature = "native")]
pub mod native;
#[cfg(feature = "wasm")]
mod wasm;

pub use api::{ErrorCode, Kredo, Request, RequestError, RuleSetInfo, Selection};
pub use date::Date;
pub use diag::{Diagnostic, LoadError};
pub use model::{Decision, Language, Outcome, Severity};
pub use money::Money;
pub use ruleset::{RuleSetSource, SourceFile};

/// The engine's own version, recorded with every audited decision.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

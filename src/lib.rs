//! Kredo: eligibility and credit-scoring rules for microcredit, as versioned rhai rule sets that
//! give the same decision, byte for byte, in the browser (wasm), the CLI and the staff server.
//!
//! Everything goes through one facade, [`api::Kredo`]: a request in, a decision out. The core
//! (all modules but `native` and `wasm`) does no I/O and reads no clock; CI builds it for
//! `wasm32-unknown-unknown` to prove it.
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod api;
pub mod cases;
pub mod date;
mod decide;
pub mod diag;
pub mod embedded;
mod encode;
pub mod fields;
pub mod json;
pub mod model;
pub mod money;
pub mod ruleset;
pub mod script;
pub mod validate;

#[cfg(feature = "native")]
pub mod native;
#[cfg(feature = "wasm")]
mod wasm;

pub use api::{ErrorCode, Kredo, Request, RequestError, RuleSetInfo, Selection};
pub use date::Date;
pub use diag::{Diagnostic, LoadError};
pub use model::{Decision, Language, Outcome, Severity};
pub use ruleset::{RuleSetSource, SourceFile};

/// The engine's own version, recorded with every audited decision.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

//! Habilis's web application.
//!
//! - [`api`]: the server functions (the public API) and the data they exchange.
//! - [`backend`]: server-only code, compiled with the `ssr` feature alone.
//! - [`ui`]: the Leptos components, rendered on the server and hydrated in the browser.

// Leptos views are deeply nested types; compiling them needs more room than the default.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod ui;

pub use ui::{shell, App};

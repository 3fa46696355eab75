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

// The UI's translations, from `locales/fr.json` (the reference) and `locales/en.json`: a module
// `i18n` with `Locale`, `I18nContextProvider`, `use_i18n` and the `t!` macros. The macro is the
// one that needs no build script (the build script's code generation pulls a data toolchain
// that downloads at build time).
#[allow(deprecated)]
mod generated {
    leptos_i18n::load_locales!();
}
pub use generated::i18n;

#[cfg(test)]
mod locale_keys;

pub use ui::{shell, App};

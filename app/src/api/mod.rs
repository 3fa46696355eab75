//! The server functions: Habilis's public API, called by the browser and rendered into pages on
//! the server.
//!
//! Every function has an explicit, stable path under `/api`, takes strict JSON (unknown fields
//! refused), answers JSON with the typed [`ApiError`], and opens with exactly one authorization
//! check from `backend::guard`. The authorization matrix (`server/authorization-matrix.json`)
//! lists each path; a test fails when a function is missing from it or answers otherwise.

pub mod advisor;
pub mod approval;
pub mod codec;
pub mod error;
pub mod journal;
pub mod local_outbox;
pub mod operations;
pub mod review;
pub mod session;
pub mod types;
pub mod users;

pub use codec::StrictJson;
pub use error::ApiError;

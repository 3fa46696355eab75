//! The shared model of Habilis.
//!
//! Everything here is pure: no IO, no web framework, no database. The same code runs in the
//! browser (compiled to `wasm32-unknown-unknown`, where it drives the rights grid) and on the
//! server (where it validates what the browser sent and computes what the administrator signs).
//! Because both sides use one implementation, the grid can never let through a combination that
//! the server would refuse, and the server never trusts the grid.
//!
//! - [`catalog`]: the entity's accounts and contracts, the things rights apply to.
//! - [`rights`]: the three levels (consultation, gestion, validation), their invariant, and a
//!   user's rights over a catalog plus the separate administration right.
//! - [`profile`]: the four profiles of the reference page.
//! - [`editor`]: the rights grid's state machine, shared by the three methods of attribution.
//! - [`recap`]: the plain-French summary with where each right comes from.
//! - [`operation`]: the add-user operation and its canonical, signed form.
//! - [`identity`]: parse-don't-validate types for what people type (e-mail, login id, codes).

pub mod catalog;
pub mod editor;
pub mod identity;
pub mod operation;
pub mod profile;
pub mod recap;
pub mod rights;

pub use catalog::{Account, Catalog, Contract, ContractKind, ResourceRef};
pub use editor::{CellView, RightsEditor, RowState};
pub use identity::{Email, LoginId, TotpCode};
pub use operation::{AddUserOperation, AssignmentError, Origin, RightsMethod};
pub use profile::Profile;
pub use recap::{Recap, RecapLine};
pub use rights::{Implication, Level, Levels, Rights};

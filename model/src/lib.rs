//! The shared model of Habilis.
//!
//! Everything here is pure: no IO, no web framework, no database. The same code runs in the
//! browser (compiled to `wasm32-unknown-unknown`, where it drives the rights grid) and on the
//! server (where it validates what the browser sent and computes what the administrator signs).
//! Because both sides use one implementation, the grid can never let through a combination that
//! the server would refuse, and the server never trusts the grid.
//!
//! - [`approval`]: « Double validation »: when a second administrator may approve a request.
//! - [`catalog`]: the entity's accounts and contracts, the things rights apply to.
//! - [`rights`]: the three levels (consultation, gestion, validation), their invariant, and a
//!   user's rights over a catalog plus the separate administration right.
//! - [`profile`]: the four profiles of the reference page.
//! - [`editor`]: the rights grid's state machine, shared by the three methods of attribution.
//! - [`period`]: « Droits temporaires »: the last day rights are held, and when it ends.
//! - [`recap`]: the plain-French summary with where each right comes from.
//! - [`operation`]: administration operations (add, modify, suspend…), their canonical, signed
//!   form and the before/after difference of rights.
//! - [`report`]: who holds which level on each account and contract (« Rapport des
//!   habilitations »).
//! - [`review`]: « Revue des accès »: decisions, when a review closes and when the next is due.
//! - [`warnings`]: what a grant of rights should make the administrator think twice about.
//! - [`identity`]: parse-don't-validate types for what people type (e-mail, login id, codes).
//! - [`lang`]: French and English, and which one a reader gets.

pub mod approval;
pub mod catalog;
pub mod editor;
pub mod identity;
pub mod lang;
pub mod operation;
pub mod period;
pub mod profile;
pub mod recap;
pub mod report;
pub mod review;
pub mod rights;
pub mod warnings;

pub use catalog::{Account, Catalog, Contract, ContractKind, ResourceRef};
pub use editor::{parse_cell, rights_from_cells, CellView, RightsEditor, RowState, RowView};
pub use identity::{Email, LoginId, TotpCode};
pub use lang::Lang;
pub use operation::{
    Assignment, AssignmentError, Change, Operation, OperationKind, Origin, Origins, RightsDiff,
    RightsMethod, UserRef,
};
pub use period::{Day, Period, PeriodError};
pub use profile::Profile;
pub use recap::{Recap, RecapLine, ScheduledLine};
pub use rights::{Implication, Level, Levels, Rights};

/// A stored code that names no known variant (a state, a kind, a level).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown code {0:?}")]
pub struct UnknownCode(pub String);

/// Reads a variant back from its stored code.
macro_rules! try_from_code {
    ($type:ty) => {
        impl TryFrom<String> for $type {
            type Error = $crate::UnknownCode;
            fn try_from(code: String) -> Result<Self, Self::Error> {
                <$type>::from_code(&code).ok_or($crate::UnknownCode(code))
            }
        }
    };
}
try_from_code!(Level);
try_from_code!(ContractKind);
try_from_code!(OperationKind);
try_from_code!(Profile);
try_from_code!(Lang);
try_from_code!(review::Decision);

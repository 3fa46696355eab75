//! The logic behind the server functions, one module per area. Each public function here is
//! called by a server function in `crate::api`, after its authorization check. Flows only
//! orchestrate: SQL lives in `backend::store`, message texts in `backend::delivery::messages`.

pub mod add_user;
pub mod advisor;
pub mod approval;
pub mod enrol;
pub mod first_login;
pub mod home;
pub mod import;
pub mod journal;
pub mod lifecycle;
pub mod local_outbox;
pub mod modify_rights;
pub mod operations;
pub mod report;
pub mod review;
pub mod sca;
pub mod sign_in;
pub mod temporary_rights;
pub mod users;

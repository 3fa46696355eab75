//! Habilis's server tests: one binary, each test on its own application and fresh database.
//! `HABILIS_TEST_DATABASE=postgres` runs the same tests on PostgreSQL.

// A failed unwrap in a test is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod add_user;
mod advisor;
mod attacks;
mod audit;
mod authorization;
mod crash;
mod delivery;
mod dual_control;
mod first_login;
mod groups;
mod helpers;
mod import;
mod isolation;
mod journal;
mod journey;
mod language;
mod lifecycle;
mod modification;
mod pages;
mod review;
mod schema;
mod security;
mod sessions;
mod sign_in;
mod static_files;
mod temporary_rights;

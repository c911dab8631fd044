//! The integration tests of `m365-emulator`, one module per file, in one test
//! binary: one link instead of one per file, which keeps the test build's
//! disk and link time down (docs/testing.md).

mod admin_host;
mod cli;
mod common;
mod entra;
mod graph;
mod https;
mod infra;
mod persistence;

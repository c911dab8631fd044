//! The integration tests of `docket-auth`, one module per file, in one test
//! binary: one link instead of one per file, which keeps the test build's
//! disk and link time down (docs/testing.md).

mod e2e;
mod loopback;
mod loopback_log;
mod tokens;

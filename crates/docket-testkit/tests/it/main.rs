//! The integration tests of `docket-testkit`, one module per file, in one test
//! binary: one link instead of one per file, which keeps the test build's
//! disk and link time down (docs/testing.md).

mod browser_signin;
mod cli_signin;
mod independent_provider;

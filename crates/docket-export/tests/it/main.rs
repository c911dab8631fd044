//! The integration tests of `docket-export`, one module per file, in one test
//! binary: one link instead of one per file, which keeps the test build's
//! disk and link time down (docs/testing.md).

mod series;
mod texts;

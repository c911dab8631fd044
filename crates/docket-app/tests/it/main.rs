//! The integration tests of `docket-app`, one module per file, in one test
//! binary: one link instead of one per file, which keeps the test build's
//! disk and link time down (docs/testing.md).

mod companion;
mod compare;
mod dav;
mod executor;
mod long_run;
mod report_texts;
mod schedule;
mod state;
mod support;
mod url_source;

//! Repository chores. `cargo test -p xtask` runs the tidy test
//! (`tests/tidy.rs`), which keeps the house rules that a compiler does
//! not check.

fn main() {
    eprintln!("xtask: nothing to run yet; `cargo test -p xtask` runs the tidy checks");
}

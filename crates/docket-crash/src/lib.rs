//! Named crash points, so that the crash-convergence harness can kill an
//! export at an exact moment (after the intent, before the request; after
//! the answer, before it is recorded; inside the write of a rotated
//! refresh token) instead of hoping a random kill lands there.
//!
//! [`point`] does nothing unless the crate is built armed (a debug build,
//! or the feature `armed` for a release harness build) **and**
//! `DOCKETSYNC_CRASH_AT=<name>:<n>` is set: then the `n`th time (1-based)
//! the process reaches the point `name`, it aborts at once
//! (`std::process::abort`: no destructor, no flush, no other thread runs
//! on, as under SIGKILL). A release build without the feature, which is
//! what firms deploy, carries no crash point. (Debug builds are armed
//! because feature unification cannot be relied on: one `cargo nextest run
//! --workspace` built `docketsync` twice, with and without `armed`, and
//! the tests ran the unarmed one.)

/// The points the product passes, in the order one export meets them.
pub const POINTS: [&str; 5] = [
    BEFORE_INTENT,
    AFTER_INTENT,
    AFTER_ANSWER,
    TOKEN_REDEEMED,
    TOKEN_WRITE,
];

/// Before a create's intent row is written (nothing of the write is on
/// disk yet).
pub const BEFORE_INTENT: &str = "before-intent";
/// After the intents of a batch are written, before the request is sent.
pub const AFTER_INTENT: &str = "after-intent";
/// After Graph answered a `$batch`, before its answers are recorded.
pub const AFTER_ANSWER: &str = "after-answer";
/// Entra answered a refresh with a rotated refresh token; nothing is
/// stored yet.
pub const TOKEN_REDEEMED: &str = "token-redeemed";
/// Inside the store's write of a secret: the new value is written but not
/// yet switched to (the file store's temporary file before its rename,
/// the keyring's chunks before the manifest).
pub const TOKEN_WRITE: &str = "token-write";

/// The variable that arms a point: `<name>:<n>`.
pub const VARIABLE: &str = "DOCKETSYNC_CRASH_AT";

/// Abort here if this is the armed point's `n`th passage.
#[inline]
pub fn point(name: &str) {
    #[cfg(any(feature = "armed", debug_assertions))]
    armed::point(name);
    #[cfg(not(any(feature = "armed", debug_assertions)))]
    let _ = name;
}

/// `<name>:<n>` with `n >= 1`.
#[cfg_attr(not(any(feature = "armed", debug_assertions)), allow(dead_code))]
fn parse(value: &str) -> Option<(String, u64)> {
    let (name, n) = value.rsplit_once(':')?;
    let n: u64 = n.trim().parse().ok().filter(|n| *n > 0)?;
    Some((name.trim().to_string(), n))
}

#[cfg(any(feature = "armed", debug_assertions))]
mod armed {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;

    static TARGET: OnceLock<Option<(String, u64)>> = OnceLock::new();
    static PASSED: AtomicU64 = AtomicU64::new(0);

    pub(super) fn point(name: &str) {
        let target = TARGET.get_or_init(|| {
            std::env::var(super::VARIABLE)
                .ok()
                .and_then(|v| super::parse(&v))
        });
        let Some((armed, n)) = target else { return };
        if armed != name {
            return;
        }
        if PASSED.fetch_add(1, Ordering::SeqCst) + 1 == *n {
            // One line for the harness (stderr is unbuffered), then gone.
            eprintln!("crash point {name} #{n}: aborting");
            std::process::abort();
        }
    }
}

#[cfg(test)]
mod tests {
    #[track_caller]
    fn check(input: &str, expect: Option<(&str, u64)>) {
        assert_eq!(
            super::parse(input),
            expect.map(|(s, n)| (s.to_string(), n)),
            "{input}"
        );
    }

    #[test]
    fn parses_name_and_count() {
        check("after-intent:3", Some(("after-intent", 3)));
        check(" token-write : 1", Some(("token-write", 1)));
        check("after-intent", None);
        check("after-intent:0", None);
        check("after-intent:x", None);
    }
}

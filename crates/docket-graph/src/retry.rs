//! What to do after a Graph response or a transport failure: a pure
//! decision, table-tested.
//!
//! Sources:
//! - 429 and `Retry-After`: <https://learn.microsoft.com/en-us/graph/throttling>
//!   ("wait the number of seconds specified in the Retry-After header");
//!   Outlook may send it with a fraction, so it is parsed as a float.
//! - 503/504 are transient; Graph may add `Retry-After` to 503 too
//!   (<https://learn.microsoft.com/en-us/graph/errors>).
//! - 401 means the access token was rejected: refresh once, then give up.

use std::time::Duration;

/// What happened to one attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// An HTTP status, with the `Retry-After` header in seconds if present.
    Status {
        status: u16,
        retry_after: Option<f64>,
    },
    /// The request may not have reached Graph, or its answer was lost
    /// (connection refused/reset, timeout, DNS).
    Transport,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// Done: hand the response to the caller (success or a final error).
    Accept,
    /// Get a fresh access token and try once more.
    RefreshToken,
    /// Wait, then send the same request again.
    RetryAfter(Duration),
}

/// Limits of the policy.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Attempts in all, including the first.
    pub max_attempts: u32,
    /// First backoff when the server gives no `Retry-After`.
    pub base_backoff: Duration,
    /// Longest single wait.
    pub max_backoff: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_attempts: 8,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(120),
        }
    }
}

/// Decide after `attempt` (1-based) ended with `outcome`.
///
/// `replay_safe`: whether sending the request again cannot create a second
/// item (GET, PATCH, DELETE, and POST with a `transactionId`). A transport
/// failure on a request that is not replay-safe is not retried here: the
/// caller must first look up whether the first attempt took effect.
/// `refreshed`: whether a token refresh was already spent on this request.
pub fn decide(
    policy: &Policy,
    outcome: Outcome,
    attempt: u32,
    replay_safe: bool,
    refreshed: bool,
) -> Decision {
    let out_of_attempts = attempt >= policy.max_attempts;
    match outcome {
        Outcome::Status { status: 401, .. } if !refreshed => Decision::RefreshToken,
        Outcome::Status {
            status: 429 | 503 | 504,
            retry_after,
        } if !out_of_attempts => {
            let wait = retry_after
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
                .unwrap_or_else(|| backoff(policy, attempt));
            Decision::RetryAfter(wait.min(policy.max_backoff))
        }
        Outcome::Status {
            status: 500 | 502, ..
        } if !out_of_attempts && replay_safe => Decision::RetryAfter(backoff(policy, attempt)),
        Outcome::Transport if !out_of_attempts && replay_safe => {
            Decision::RetryAfter(backoff(policy, attempt))
        }
        _ => Decision::Accept,
    }
}

/// Exponential backoff: base × 2^(attempt-1), capped.
pub fn backoff(policy: &Policy, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
    policy
        .base_backoff
        .saturating_mul(factor)
        .min(policy.max_backoff)
}

/// Parse a `Retry-After` header value in seconds (may be fractional).
/// HTTP-date values are not used by Graph and yield `None`.
pub fn parse_retry_after(value: &str) -> Option<f64> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(outcome: Outcome, attempt: u32, replay_safe: bool, refreshed: bool, expect: Decision) {
        let got = decide(&Policy::default(), outcome, attempt, replay_safe, refreshed);
        assert_eq!(
            got, expect,
            "outcome {outcome:?}, attempt {attempt}, replay_safe {replay_safe}, refreshed {refreshed}"
        );
    }

    fn status(status: u16, retry_after: Option<f64>) -> Outcome {
        Outcome::Status {
            status,
            retry_after,
        }
    }

    #[test]
    fn decisions() {
        use Decision::*;
        // Success and client errors are final.
        check(status(200, None), 1, true, false, Accept);
        check(status(404, None), 1, true, false, Accept);
        check(status(412, None), 1, true, false, Accept);
        // 401: one refresh, never two.
        check(status(401, None), 1, true, false, RefreshToken);
        check(status(401, None), 2, true, true, Accept);
        // 429 honours a fractional Retry-After, even for a plain POST
        // (a throttled request was not carried out).
        check(
            status(429, Some(1.5)),
            1,
            false,
            false,
            RetryAfter(Duration::from_millis(1500)),
        );
        check(
            status(429, Some(0.25)),
            3,
            true,
            false,
            RetryAfter(Duration::from_millis(250)),
        );
        // 429 without Retry-After backs off exponentially.
        check(
            status(429, None),
            3,
            true,
            false,
            RetryAfter(Duration::from_secs(2)),
        );
        // 503 with Retry-After; a huge value is capped.
        check(
            status(503, Some(3600.0)),
            1,
            true,
            false,
            RetryAfter(Duration::from_secs(120)),
        );
        // Out of attempts: give the error to the caller.
        check(status(429, Some(1.0)), 8, true, false, Accept);
        // 500/502 and transport errors only when replaying is safe.
        check(
            status(502, None),
            1,
            true,
            false,
            RetryAfter(Duration::from_millis(500)),
        );
        check(status(502, None), 1, false, false, Accept);
        check(
            Outcome::Transport,
            2,
            true,
            false,
            RetryAfter(Duration::from_secs(1)),
        );
        check(Outcome::Transport, 1, false, false, Accept);
    }

    #[test]
    fn retry_after_values() {
        assert_eq!(parse_retry_after("2"), Some(2.0));
        assert_eq!(parse_retry_after(" 0.5 "), Some(0.5));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("NaN"), None);
    }
}

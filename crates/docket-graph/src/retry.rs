//! What to do after a Graph response or a transport failure: a pure
//! decision, table-tested.
//!
//! Sources:
//! - 429 and `Retry-After`: <https://learn.microsoft.com/en-us/graph/throttling>
//!   ("wait the number of seconds specified in the Retry-After header");
//!   Outlook may send it with a fraction, so it is parsed as a float.
//! - 503/504 are transient; Graph may add `Retry-After` to 503 too
//!   (<https://learn.microsoft.com/en-us/graph/errors>).
//! - `Retry-After` may also be an HTTP-date (RFC 9110 §10.2.3); it is
//!   turned into seconds from `now`.
//! - 401 means the access token was rejected: refresh once, then give up.
//!
//! Every number here comes from a server, so none is trusted: a negative,
//! NaN or infinite `Retry-After` counts as absent, and a huge one (`1e20`)
//! is capped at `RetryLimits::max_backoff` *before* it becomes a `Duration`
//! (`Duration::from_secs_f64` panics on values it cannot hold).

use std::time::{Duration, SystemTime};

/// How one attempt of a request ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AttemptEnd {
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

/// How far one request is retried: attempts in all and the waits.
#[derive(Debug, Clone, Copy)]
pub struct RetryLimits {
    /// Attempts in all, including the first.
    pub max_attempts: u32,
    /// First backoff when the server gives no `Retry-After`.
    pub base_backoff: Duration,
    /// Longest single wait.
    pub max_backoff: Duration,
}

impl Default for RetryLimits {
    fn default() -> Self {
        RetryLimits {
            max_attempts: 8,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(120),
        }
    }
}

/// Decide after `attempt` (1-based) ended with `end`.
///
/// `replay_safe`: whether sending the request again cannot create a second
/// item (GET, PATCH, DELETE, and POST with a `transactionId`). A transport
/// failure on a request that is not replay-safe is not retried here: the
/// caller must first look up whether the first attempt took effect.
/// `refreshed`: whether a token refresh was already spent on this request.
pub fn decide(
    limits: &RetryLimits,
    end: AttemptEnd,
    attempt: u32,
    replay_safe: bool,
    refreshed: bool,
) -> Decision {
    let out_of_attempts = attempt >= limits.max_attempts;
    match end {
        AttemptEnd::Status { status: 401, .. } if !refreshed => Decision::RefreshToken,
        AttemptEnd::Status {
            status: 429 | 503 | 504,
            retry_after,
        } if !out_of_attempts => {
            let wait = retry_after
                .and_then(|s| seconds_at_most(s, limits.max_backoff))
                .unwrap_or_else(|| backoff(limits, attempt));
            Decision::RetryAfter(wait.min(limits.max_backoff))
        }
        AttemptEnd::Status {
            status: 500 | 502, ..
        } if !out_of_attempts && replay_safe => Decision::RetryAfter(backoff(limits, attempt)),
        AttemptEnd::Transport if !out_of_attempts && replay_safe => {
            Decision::RetryAfter(backoff(limits, attempt))
        }
        _ => Decision::Accept,
    }
}

/// Exponential backoff: base × 2^(attempt-1), capped.
pub fn backoff(limits: &RetryLimits, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
    limits
        .base_backoff
        .saturating_mul(factor)
        .min(limits.max_backoff)
}

/// `seconds` as a `Duration` of at most `max`; `None` when it is not a
/// wait at all (negative, NaN, infinite). Never panics.
pub fn seconds_at_most(seconds: f64, max: Duration) -> Option<Duration> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    if seconds >= max.as_secs_f64() {
        return Some(max);
    }
    Some(Duration::try_from_secs_f64(seconds).unwrap_or(max).min(max))
}

/// Parse a `Retry-After` header value: seconds (may be fractional) or an
/// HTTP-date, which becomes the seconds from `now` until then (0 when it
/// is past). Anything else, and a negative or non-finite number, is `None`.
/// The result may still be huge: `decide` caps it.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<f64> {
    let value = value.trim();
    if let Ok(s) = value.parse::<f64>() {
        return Some(s).filter(|s| s.is_finite() && *s >= 0.0);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(now)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(end: AttemptEnd, attempt: u32, replay_safe: bool, refreshed: bool, expect: Decision) {
        let got = decide(
            &RetryLimits::default(),
            end,
            attempt,
            replay_safe,
            refreshed,
        );
        assert_eq!(
            got, expect,
            "end {end:?}, attempt {attempt}, replay_safe {replay_safe}, refreshed {refreshed}"
        );
    }

    fn status(status: u16, retry_after: Option<f64>) -> AttemptEnd {
        AttemptEnd::Status {
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
            AttemptEnd::Transport,
            2,
            true,
            false,
            RetryAfter(Duration::from_secs(1)),
        );
        check(AttemptEnd::Transport, 1, false, false, Accept);
        // Numbers no server should send: never a panic, never a wait
        // longer than the cap, and nonsense counts as no Retry-After.
        let cap = RetryAfter(Duration::from_secs(120));
        check(status(429, Some(1e20)), 1, true, false, cap);
        check(status(503, Some(f64::MAX)), 1, true, false, cap);
        check(
            status(429, Some(18_446_744_073_709_551_616.0)),
            1,
            true,
            false,
            cap,
        );
        check(status(429, Some(120.000_000_1)), 1, true, false, cap);
        check(
            status(429, Some(f64::INFINITY)),
            1,
            true,
            false,
            RetryAfter(Duration::from_millis(500)),
        );
        check(
            status(429, Some(f64::NAN)),
            2,
            true,
            false,
            RetryAfter(Duration::from_secs(1)),
        );
        check(
            status(429, Some(-5.0)),
            1,
            true,
            false,
            RetryAfter(Duration::from_millis(500)),
        );
        check(
            status(429, Some(-0.0)),
            1,
            true,
            false,
            RetryAfter(Duration::ZERO),
        );
        check(
            status(429, Some(1e-12)),
            1,
            true,
            false,
            RetryAfter(Duration::from_nanos(0)),
        );
        check(
            status(504, Some(f64::MIN_POSITIVE)),
            1,
            true,
            false,
            RetryAfter(Duration::ZERO),
        );
        // A huge attempt number does not overflow the backoff.
        check(
            status(429, None),
            7,
            true,
            false,
            RetryAfter(Duration::from_secs(32)),
        );
    }

    fn check_parse(value: &str, expect: Option<f64>) {
        // 2015-10-21 07:28:00 UTC
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(
            parse_retry_after(value, now),
            expect,
            "Retry-After: {value}"
        );
    }

    #[test]
    fn retry_after_values() {
        check_parse("2", Some(2.0));
        check_parse(" 0.5 ", Some(0.5));
        check_parse("1e20", Some(1e20));
        check_parse("-1", None);
        check_parse("NaN", None);
        check_parse("inf", None);
        check_parse("-inf", None);
        check_parse("", None);
        check_parse("soon", None);
        // HTTP-date: seconds from now; a past date means now.
        check_parse("Wed, 21 Oct 2015 07:28:30 GMT", Some(30.0));
        check_parse("Wed, 21 Oct 2015 07:28:00 GMT", Some(0.0));
        check_parse("Tue, 20 Oct 2015 07:28:00 GMT", Some(0.0));
        check_parse(
            "Fri, 31 Dec 9999 23:59:59 GMT",
            Some(253_402_300_799.0 - 1_445_412_480.0),
        );
    }

    #[test]
    fn seconds_are_capped_before_they_become_a_duration() {
        let max = Duration::from_secs(120);
        assert_eq!(seconds_at_most(1e20, max), Some(max));
        assert_eq!(seconds_at_most(1.5, max), Some(Duration::from_millis(1500)));
        assert_eq!(seconds_at_most(f64::NAN, max), None);
        assert_eq!(seconds_at_most(-1.0, max), None);
        assert_eq!(seconds_at_most(1e20, Duration::MAX), Some(Duration::MAX));
    }
}

//! Keep-alive and warnings: pure functions of dates and `now`.
//!
//! Entra ends a sign-in on three clocks (see `docs/sign-in.md`):
//! - **inactivity**: a refresh token unused for 90 days dies
//!   (AADSTS700082). Refreshing at least daily, even with nothing to
//!   export, keeps it alive; if refreshes keep failing we warn
//!   [`INACTIVITY_WARN_BEFORE`] ahead of the date it would die.
//! - **sign-in frequency** (Conditional Access): the sign-in dies a fixed
//!   time after the last *interactive* sign-in (AADSTS70043). The window is
//!   not announced; we learn it from the lifetime AADSTS70043 states and
//!   then warn ahead of the next required sign-in.
//! - **client secret expiry** (Web registrations): 30, 14 and 7 days ahead.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::problem::{Class, Problem, ReAuthReason};

/// Entra's refresh-token inactivity limit (`MaxInactiveTime`, 90 days,
/// <https://learn.microsoft.com/en-us/entra/identity-platform/configurable-token-lifetimes>).
pub const INACTIVITY_LIMIT: Duration = Duration::days(90);
/// Refresh at least this often, even with nothing to do.
pub const KEEP_ALIVE_EVERY: Duration = Duration::hours(24);
/// Warn this long before the inactivity limit is reached.
pub const INACTIVITY_WARN_BEFORE: Duration = Duration::days(14);
/// At most this long before a required sign-in (shorter for short windows:
/// a quarter of the window).
pub const SIGN_IN_WARN_BEFORE_MAX: Duration = Duration::days(3);
/// Client secret warnings, in days ahead.
pub const SECRET_WARN_DAYS: [i64; 3] = [30, 14, 7];

/// What the keep-alive needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInClock {
    /// The last successful refresh (or sign-in).
    pub last_good_refresh: DateTime<Utc>,
    /// The last interactive sign-in (browser).
    pub last_interactive_sign_in: DateTime<Utc>,
    /// The sign-in frequency learned from AADSTS70043, if any.
    pub sign_in_frequency: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeepAlive {
    /// Refresh now (the daily keep-alive is due).
    pub refresh_now: bool,
    /// When the next keep-alive refresh is due.
    pub next_refresh_at: DateTime<Utc>,
    /// When the refresh token dies if no refresh succeeds until then.
    pub inactivity_deadline: DateTime<Utc>,
    /// When the next interactive sign-in is required (learned window).
    pub next_required_sign_in: Option<DateTime<Utc>>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warning {
    /// "Sign-in expires by inactivity on <on>": refreshes have been
    /// failing (e.g. offline for weeks).
    InactivityExpiry { on: DateTime<Utc> },
    /// "Your organisation requires a new sign-in on <on>."
    SignInRequired { on: DateTime<Utc> },
}

/// Decide the keep-alive for `now`.
///
/// The dates come from the state database and the window from a server's
/// text: every sum saturates (at chrono's last date) instead of panicking.
pub fn keep_alive(clock: SignInClock, now: DateTime<Utc>) -> KeepAlive {
    let add = |at: DateTime<Utc>, d: Duration| {
        at.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    let next_refresh_at = add(clock.last_good_refresh, KEEP_ALIVE_EVERY);
    let inactivity_deadline = add(clock.last_good_refresh, INACTIVITY_LIMIT);
    let next_required_sign_in = clock
        .sign_in_frequency
        .map(|window| add(clock.last_interactive_sign_in, window));
    let mut warnings = Vec::new();
    let sub = |at: DateTime<Utc>, d: Duration| at.checked_sub_signed(d).unwrap_or(at);
    if now >= sub(inactivity_deadline, INACTIVITY_WARN_BEFORE) {
        warnings.push(Warning::InactivityExpiry {
            on: inactivity_deadline,
        });
    }
    if let (Some(window), Some(on)) = (clock.sign_in_frequency, next_required_sign_in) {
        let ahead = (window / 4).min(SIGN_IN_WARN_BEFORE_MAX);
        if now >= sub(on, ahead) {
            warnings.push(Warning::SignInRequired { on });
        }
    }
    KeepAlive {
        refresh_now: now >= next_refresh_at,
        next_refresh_at,
        inactivity_deadline,
        next_required_sign_in,
        warnings,
    }
}

/// The sign-in frequency window a failed refresh teaches, if it was an
/// AADSTS70043 whose description stated the lifetime.
pub fn learned_sign_in_frequency(problem: &Problem) -> Option<Duration> {
    match problem.class {
        Class::ReAuth(ReAuthReason::SignInFrequency {
            max_lifetime_seconds: Some(s),
            // Clamped before converting: `Duration::seconds` panics beyond
            // i64::MAX / 1000 s, and the number came from a server's text.
        }) => i64::try_from(s.min(crate::problem::MAX_SIGN_IN_FREQUENCY_SECS))
            .ok()
            .and_then(Duration::try_seconds),
        _ => None,
    }
}

/// A client-secret expiry notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretExpiry {
    /// Within `threshold` (30, 14 or 7) days: `days_left` whole days remain.
    /// The threshold lets the UI notify once per step.
    Soon {
        threshold: i64,
        days_left: i64,
    },
    Expired,
}

/// The notice for a secret expiring at the start of `expires` (UTC), or
/// `None` when it is more than 30 days away.
pub fn client_secret_expiry(expires: NaiveDate, now: DateTime<Utc>) -> Option<SecretExpiry> {
    let days_left = (expires - now.date_naive()).num_days();
    if days_left <= 0 {
        return Some(SecretExpiry::Expired);
    }
    SECRET_WARN_DAYS
        .iter()
        .rev()
        .find(|&&t| days_left <= t)
        .map(|&threshold| SecretExpiry::Soon {
            threshold,
            days_left,
        })
}

/// Refresh ahead of expiry: true once `now` is within `margin` of it.
pub fn needs_refresh(expires_at: DateTime<Utc>, now: DateTime<Utc>, margin: Duration) -> bool {
    now + margin >= expires_at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("rfc3339")
            .with_timezone(&Utc)
    }

    /// `input`: "last_refresh | last_sign_in | window_hours-or-none | now";
    /// `expect`: "refresh=<bool> next_sign_in=<date|none> warnings=<list>".
    #[track_caller]
    fn check(input: &str, expect: &str) {
        let parts: Vec<&str> = input.split('|').map(str::trim).collect();
        let [last, signin, window, now] = parts[..] else {
            panic!("bad input {input}")
        };
        let clock = SignInClock {
            last_good_refresh: at(last),
            last_interactive_sign_in: at(signin),
            sign_in_frequency: (window != "none")
                .then(|| Duration::hours(window.parse().expect("hours"))),
        };
        let k = keep_alive(clock, at(now));
        assert_eq!(
            k.inactivity_deadline,
            clock.last_good_refresh + INACTIVITY_LIMIT
        );
        let warnings: Vec<String> = k
            .warnings
            .iter()
            .map(|w| match w {
                Warning::InactivityExpiry { on } => format!("inactivity:{}", on.date_naive()),
                Warning::SignInRequired { on } => format!("sign_in:{}", on.format("%F %H:%M")),
            })
            .collect();
        let got = format!(
            "refresh={} next_sign_in={} warnings=[{}]",
            k.refresh_now,
            k.next_required_sign_in
                .map_or("none".into(), |d| d.format("%F %H:%M").to_string()),
            warnings.join(",")
        );
        assert_eq!(got, expect, "input: {input}");
    }

    #[test]
    fn keep_alive_table() {
        // Fresh: nothing to do.
        check(
            "2026-03-01T08:00:00Z | 2026-03-01T08:00:00Z | none | 2026-03-01T20:00:00Z",
            "refresh=false next_sign_in=none warnings=[]",
        );
        // A day since the last refresh: refresh even with nothing to export.
        check(
            "2026-03-01T08:00:00Z | 2026-03-01T08:00:00Z | none | 2026-03-02T08:00:00Z",
            "refresh=true next_sign_in=none warnings=[]",
        );
        // Refreshes failing for 75 days: 15 days left, no warning yet.
        check(
            "2026-01-01T08:00:00Z | 2026-01-01T08:00:00Z | none | 2026-03-17T08:00:00Z",
            "refresh=true next_sign_in=none warnings=[]",
        );
        // 76 days: 14 days left → warn with the date the sign-in dies.
        check(
            "2026-01-01T08:00:00Z | 2026-01-01T08:00:00Z | none | 2026-03-18T08:00:00Z",
            "refresh=true next_sign_in=none warnings=[inactivity:2026-04-01]",
        );
        // Learned weekly sign-in frequency: due 7 days after the sign-in,
        // warned 42 h (a quarter of the window) ahead.
        check(
            "2026-03-05T09:00:00Z | 2026-03-01T08:00:00Z | 168 | 2026-03-06T08:00:00Z",
            "refresh=false next_sign_in=2026-03-08 08:00 warnings=[]",
        );
        check(
            "2026-03-06T14:00:00Z | 2026-03-01T08:00:00Z | 168 | 2026-03-06T14:00:00Z",
            "refresh=false next_sign_in=2026-03-08 08:00 warnings=[sign_in:2026-03-08 08:00]",
        );
        // A 30-day window warns at most 3 days ahead.
        check(
            "2026-03-27T09:00:00Z | 2026-03-01T08:00:00Z | 720 | 2026-03-27T09:00:00Z",
            "refresh=false next_sign_in=2026-03-31 08:00 warnings=[]",
        );
        check(
            "2026-03-28T09:00:00Z | 2026-03-01T08:00:00Z | 720 | 2026-03-28T09:00:00Z",
            "refresh=false next_sign_in=2026-03-31 08:00 warnings=[sign_in:2026-03-31 08:00]",
        );
    }

    #[test]
    fn secret_expiry_steps() {
        let now = at("2026-03-01T12:00:00Z");
        let day = |d: &str| NaiveDate::parse_from_str(d, "%F").expect("date");
        let cases = [
            ("2026-04-01", None),
            (
                "2026-03-31",
                Some(SecretExpiry::Soon {
                    threshold: 30,
                    days_left: 30,
                }),
            ),
            (
                "2026-03-15",
                Some(SecretExpiry::Soon {
                    threshold: 14,
                    days_left: 14,
                }),
            ),
            (
                "2026-03-09",
                Some(SecretExpiry::Soon {
                    threshold: 14,
                    days_left: 8,
                }),
            ),
            (
                "2026-03-08",
                Some(SecretExpiry::Soon {
                    threshold: 7,
                    days_left: 7,
                }),
            ),
            (
                "2026-03-02",
                Some(SecretExpiry::Soon {
                    threshold: 7,
                    days_left: 1,
                }),
            ),
            ("2026-03-01", Some(SecretExpiry::Expired)),
            ("2025-12-31", Some(SecretExpiry::Expired)),
        ];
        for (expires, expect) in cases {
            assert_eq!(client_secret_expiry(day(expires), now), expect, "{expires}");
        }
    }

    #[test]
    fn refresh_margin() {
        let exp = at("2026-03-01T12:00:00Z");
        let m = Duration::minutes(5);
        assert!(!needs_refresh(exp, at("2026-03-01T11:54:59Z"), m));
        assert!(needs_refresh(exp, at("2026-03-01T11:55:00Z"), m));
        assert!(needs_refresh(exp, at("2026-03-01T13:00:00Z"), m));
    }

    #[test]
    fn window_is_learned_only_from_70043() {
        let body = br#"{"error":"invalid_grant","error_description":"AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on 2026-03-01T08:00:00Z and the maximum allowed lifetime for this request is 604800.","error_codes":[70043]}"#;
        let p = crate::problem::classify(
            crate::problem::Grant::RefreshToken,
            crate::problem::TokenFailure::Response { status: 400, body },
        );
        assert_eq!(learned_sign_in_frequency(&p), Some(Duration::days(7)));
        let body = br#"{"error":"invalid_grant","error_description":"AADSTS700082: inactive for 90.00:00:00.","error_codes":[700082]}"#;
        let p = crate::problem::classify(
            crate::problem::Grant::RefreshToken,
            crate::problem::TokenFailure::Response { status: 400, body },
        );
        assert_eq!(learned_sign_in_frequency(&p), None);
    }
}

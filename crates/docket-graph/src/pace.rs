//! Pacing inside Outlook's per-mailbox budget: 10,000 requests per app and
//! mailbox per 10 minutes, each `$batch` item counted on its own
//! (<https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits>).
//!
//! Running into the limit costs more than staying under it (throttled
//! requests still count, and the wait is the server's to choose), so the
//! client delays itself once the sliding window is nearly full. The core is
//! pure: it takes `now` and answers how long to wait.
//!
//! The window outlives the process: [`Pacer::window`] gives the requests
//! still in it per wall-clock second ([`SentInSecond`]), which the caller
//! stores (the state database) after and during each run (every few
//! seconds and every [`SAVE_WINDOW_EVERY`] requests), and
//! [`Pacer::remember`] takes them back in the next run, so that a run
//! after a failed one or a restart inside the same 10 minutes does not
//! spend the budget a second time.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// How many budget requests a run sends between two stores of the window
/// (besides the stores every few seconds and at the end): what a process
/// killed mid-run can forget, against the 1,000 of the budget the pacer
/// leaves unused.
pub const SAVE_WINDOW_EVERY: u32 = 200;

#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Requests allowed per window.
    pub requests: u32,
    pub window: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            requests: 10_000,
            window: Duration::from_secs(600),
        }
    }
}

/// `requests` sent during the wall-clock second starting at `unix_second`
/// (seconds since 1970, UTC): how a window is stored between processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentInSecond {
    pub unix_second: i64,
    pub requests: u32,
}

/// A sliding window of the times requests were sent.
#[derive(Debug)]
pub struct Pacer {
    budget: Budget,
    /// How many of the budget's requests we allow ourselves (leaves room
    /// for the tray and the CLI running at once, and for other apps' work
    /// that does not share our app id but shares the mailbox's patience).
    target: u32,
    sent: VecDeque<Instant>,
}

impl Pacer {
    pub fn new(budget: Budget) -> Pacer {
        // 90 % of the budget, at least 1.
        let target = ((budget.requests as u64 * 9) / 10).max(1) as u32;
        Pacer {
            budget,
            target,
            sent: VecDeque::new(),
        }
    }

    /// How long to wait at `now` before `n` more requests may go out.
    pub fn delay(&mut self, now: Instant, n: u32) -> Duration {
        self.expire(now);
        let n = n.min(self.target) as usize;
        let room = self.target as usize;
        if self.sent.len() + n <= room {
            return Duration::ZERO;
        }
        // The (len + n - room)-th oldest request must leave the window.
        let must_leave = self.sent.len() + n - room;
        let oldest_needed = self.sent[must_leave - 1];
        (oldest_needed + self.budget.window).saturating_duration_since(now)
    }

    /// Record that `n` requests were sent at `now`.
    pub fn record(&mut self, now: Instant, n: u32) {
        self.expire(now);
        for _ in 0..n {
            self.sent.push_back(now);
        }
    }

    /// The requests in the window at `now` (whose wall clock says
    /// `unix_now`, in seconds since 1970, fractions allowed), counted per
    /// wall-clock second, oldest first.
    pub fn window(&mut self, now: Instant, unix_now: f64) -> Vec<SentInSecond> {
        self.expire(now);
        let mut out: Vec<SentInSecond> = vec![];
        for &t in &self.sent {
            let age = now.saturating_duration_since(t).as_secs_f64();
            let unix_second = (unix_now - age).floor() as i64;
            match out.last_mut() {
                Some(last) if last.unix_second == unix_second => last.requests += 1,
                _ => out.push(SentInSecond {
                    unix_second,
                    requests: 1,
                }),
            }
        }
        out
    }

    /// Take back a window stored by [`Pacer::window`] (of this or an
    /// earlier process) at `now`, whose wall clock says `unix_now`. Each
    /// request counts as sent at the end of its second (so it leaves the
    /// window no earlier than it did); a second in the future (the clock
    /// was set back) counts as now; what has left the window is dropped.
    /// At most the target's worth is kept: a stored window cannot make the
    /// client wait longer than one window.
    pub fn remember(&mut self, now: Instant, unix_now: f64, stored: &[SentInSecond]) {
        let window = self.budget.window.as_secs_f64();
        let mut times: Vec<Instant> = self.sent.iter().copied().collect();
        for s in stored {
            let age = (unix_now - (s.unix_second as f64 + 1.0)).max(0.0);
            if !age.is_finite() || age >= window {
                continue;
            }
            let t = now.checked_sub(Duration::from_secs_f64(age)).unwrap_or(now);
            let room = (self.target as usize).saturating_sub(times.len());
            times.extend(std::iter::repeat_n(t, (s.requests as usize).min(room)));
        }
        times.sort();
        self.sent = times.into();
        self.expire(now);
    }

    fn expire(&mut self, now: Instant) {
        while let Some(&t) = self.sent.front() {
            if now.saturating_duration_since(t) >= self.budget.window {
                self.sent.pop_front();
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn stays_inside_the_window() {
        let budget = Budget {
            requests: 10,
            window: Duration::from_secs(60),
        };
        let mut p = Pacer::new(budget); // target 9
        let t0 = Instant::now();
        assert_eq!(p.delay(t0, 5), Duration::ZERO);
        p.record(t0, 5);
        let t1 = t0 + Duration::from_secs(10);
        assert_eq!(p.delay(t1, 4), Duration::ZERO, "9 of 9 fit");
        p.record(t1, 4);
        // A 10th must wait until the first of the t0 batch leaves: t0+60.
        let t2 = t0 + Duration::from_secs(20);
        assert_eq!(p.delay(t2, 1), Duration::from_secs(40));
        // Six more need the t0 five gone and one of t1: t1+60 = t0+70.
        assert_eq!(p.delay(t2, 6), Duration::from_secs(50));
        // After the window, everything is free again.
        let t3 = t1 + Duration::from_secs(60);
        assert_eq!(p.delay(t3, 9), Duration::ZERO);
    }

    /// A window stored by one process and taken back by the next (a new
    /// `Instant` epoch, the same wall clock) keeps the client waiting as
    /// long as the first process would have.
    #[tokio::test(start_paused = true)]
    async fn the_window_survives_a_restart() {
        let budget = Budget {
            requests: 10,
            window: Duration::from_secs(60),
        };
        let mut first = Pacer::new(budget); // target 9
        let t0 = Instant::now();
        let unix0 = 1_000_000.0;
        first.record(t0, 4);
        first.record(t0 + Duration::from_secs(5), 5);
        let stored = first.window(t0 + Duration::from_millis(5_500), unix0 + 5.5);
        assert_eq!(
            stored,
            [
                SentInSecond {
                    unix_second: 1_000_000,
                    requests: 4
                },
                SentInSecond {
                    unix_second: 1_000_005,
                    requests: 5
                }
            ]
        );

        // The process restarts 10 s after t0: its clock starts afresh.
        tokio::time::advance(Duration::from_secs(100)).await;
        let s0 = Instant::now();
        let check = |stored: &[SentInSecond], unix_now: f64, n: u32, wait: u64| {
            let mut p = Pacer::new(budget);
            p.remember(s0, unix_now, stored);
            assert_eq!(
                p.delay(s0, n),
                Duration::from_secs(wait),
                "{stored:?} at {unix_now}, {n} more"
            );
        };
        // 10 s after t0: the first 4 leave at t0 + 61 s (end of their
        // second + 60), i.e. in 51 s.
        check(&stored, unix0 + 10.0, 1, 51);
        check(&stored, unix0 + 10.0, 5, 56);
        // Nothing stored, or everything old: no wait.
        check(&[], unix0 + 10.0, 9, 0);
        check(&stored, unix0 + 70.0, 9, 0);
        // Half of it has left the window.
        check(&stored, unix0 + 62.0, 4, 0);
        check(&stored, unix0 + 62.0, 5, 4);
        // A clock set back: the stored second lies ahead, counted as now.
        check(&stored, unix0 - 100.0, 1, 60);
        // A stored window larger than the target keeps one window's worth.
        let huge = [SentInSecond {
            unix_second: 1_000_000,
            requests: u32::MAX,
        }];
        check(&huge, unix0 + 1.0, 1, 60);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_larger_than_the_target_does_not_wait_forever() {
        let mut p = Pacer::new(Budget {
            requests: 4,
            window: Duration::from_secs(60),
        });
        let t0 = Instant::now();
        assert_eq!(p.delay(t0, 100), Duration::ZERO);
    }
}

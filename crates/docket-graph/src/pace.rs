//! Pacing inside Outlook's per-mailbox budget: 10,000 requests per app and
//! mailbox per 10 minutes, each `$batch` item counted on its own
//! (<https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits>).
//!
//! Running into the limit costs more than staying under it (throttled
//! requests still count, and the wait is the server's to choose), so the
//! client delays itself once the sliding window is nearly full. The core is
//! pure: it takes `now` and answers how long to wait.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

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

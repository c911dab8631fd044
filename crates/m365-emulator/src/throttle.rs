//! Outlook-resource throttling per (app, mailbox).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Limits {
    pub max_concurrent: usize,
    pub budget: u64,
    pub window_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_concurrent: 4,
            budget: 10_000,
            window_seconds: 600,
        }
    }
}

#[derive(Debug)]
pub struct Throttle {
    pub limits: std::sync::Mutex<Limits>,
}

impl Throttle {
    pub fn new(limits: Limits) -> Throttle {
        Throttle {
            limits: std::sync::Mutex::new(limits),
        }
    }
}

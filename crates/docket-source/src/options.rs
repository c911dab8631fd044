//! How a read interprets the firm's conventions: which VTODOs are deadlines
//! and which are follow-ups, which contacts the fee-earner subscribed to,
//! and the size limits.

use serde::{Deserialize, Serialize};

use crate::model::DeadlineKind;

/// Everything a read needs besides the bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadOptions {
    pub kind: KindRule,
    pub subscription: SubscriptionRule,
    pub limits: Limits,
}

/// Decides whether a VTODO is a [`DeadlineKind::Deadline`] or a
/// [`DeadlineKind::FollowUp`].
///
/// In order: the value of `x_property` (when it names a kind), then the
/// CATEGORIES (a deadline category wins over a follow-up category: missing a
/// Frist is worse than a misfiled Wiedervorlage), then `default`.
/// Names are compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KindRule {
    /// An X- property whose value names the kind, e.g. `X-DOCKET-KIND:followup`.
    pub x_property: String,
    /// Values of `x_property` and categories meaning "deadline".
    pub deadline_names: Vec<String>,
    /// Values of `x_property` and categories meaning "follow-up".
    pub followup_names: Vec<String>,
    /// The kind when nothing above decides.
    pub default: DeadlineKind,
}

impl Default for KindRule {
    fn default() -> KindRule {
        KindRule {
            x_property: "X-DOCKET-KIND".to_owned(),
            deadline_names: vec!["Frist".to_owned(), "Deadline".to_owned()],
            followup_names: vec![
                "Wiedervorlage".to_owned(),
                "Follow-up".to_owned(),
                "followup".to_owned(),
            ],
            default: DeadlineKind::Deadline,
        }
    }
}

impl KindRule {
    /// The kind for a VTODO with this `x_property` value and these categories.
    pub fn decide(&self, x_value: Option<&str>, categories: &[String]) -> DeadlineKind {
        let is = |names: &[String], value: &str| {
            names.iter().any(|n| n.eq_ignore_ascii_case(value.trim()))
        };
        if let Some(v) = x_value {
            if is(&self.deadline_names, v) {
                return DeadlineKind::Deadline;
            }
            if is(&self.followup_names, v) {
                return DeadlineKind::FollowUp;
            }
        }
        if categories.iter().any(|c| is(&self.deadline_names, c)) {
            DeadlineKind::Deadline
        } else if categories.iter().any(|c| is(&self.followup_names, c)) {
            DeadlineKind::FollowUp
        } else {
            self.default
        }
    }
}

/// Decides whether the fee-earner subscribed to a contact (wants it in
/// Outlook): `x_property` with a yes-value (`TRUE`, `YES`, `JA`, `1`), or any
/// of `categories`. Everything else is not subscribed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubscriptionRule {
    pub x_property: String,
    pub categories: Vec<String>,
}

impl Default for SubscriptionRule {
    fn default() -> SubscriptionRule {
        SubscriptionRule {
            x_property: "X-DOCKET-SUBSCRIBED".to_owned(),
            categories: vec!["Outlook".to_owned()],
        }
    }
}

impl SubscriptionRule {
    /// Whether a contact with this `x_property` value and these categories
    /// is subscribed. An explicit no-value (`FALSE`, `NO`, `NEIN`, `0`)
    /// overrides the categories.
    pub fn decide(&self, x_value: Option<&str>, categories: &[String]) -> bool {
        match x_value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            Some("true" | "yes" | "ja" | "1") => true,
            Some("false" | "no" | "nein" | "0") => false,
            _ => categories
                .iter()
                .any(|c| self.categories.iter().any(|s| s.eq_ignore_ascii_case(c))),
        }
    }
}

/// Size limits. A record over a limit is skipped with a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Longest DESCRIPTION / NOTE in bytes (default 4 MB = 4,000,000 bytes;
    /// Graph rejects request bodies over 4 MB).
    pub max_text_bytes: usize,
    /// Largest file read (default 64 MB). A larger file is not read at all
    /// and makes the snapshot incomplete.
    pub max_file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_text_bytes: 4_000_000,
            max_file_bytes: 64_000_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeadlineKind::{Deadline, FollowUp};

    fn check_kind(x_value: Option<&str>, categories: &[&str], expect: DeadlineKind) {
        let categories: Vec<String> = categories.iter().map(|c| c.to_string()).collect();
        let got = KindRule::default().decide(x_value, &categories);
        assert_eq!(got, expect, "x={x_value:?} categories={categories:?}");
    }

    #[test]
    fn kind_rule() {
        check_kind(None, &[], Deadline);
        check_kind(None, &["Wiedervorlage"], FollowUp);
        check_kind(None, &["follow-up"], FollowUp);
        check_kind(None, &["Mandat 2026/117", "FRIST"], Deadline);
        check_kind(None, &["Wiedervorlage", "Frist"], Deadline);
        check_kind(Some("followup"), &["Frist"], FollowUp);
        check_kind(Some("Deadline"), &["Wiedervorlage"], Deadline);
        check_kind(Some("something else"), &["Wiedervorlage"], FollowUp);
    }

    fn check_subscribed(x_value: Option<&str>, categories: &[&str], expect: bool) {
        let categories: Vec<String> = categories.iter().map(|c| c.to_string()).collect();
        let got = SubscriptionRule::default().decide(x_value, &categories);
        assert_eq!(got, expect, "x={x_value:?} categories={categories:?}");
    }

    #[test]
    fn subscription_rule() {
        check_subscribed(None, &[], false);
        check_subscribed(Some("TRUE"), &[], true);
        check_subscribed(Some("ja"), &[], true);
        check_subscribed(None, &["Mandant", "outlook"], true);
        check_subscribed(Some("FALSE"), &["Outlook"], false);
        check_subscribed(Some("maybe"), &["Mandant"], false);
    }
}

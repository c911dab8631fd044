//! The plan in plain words, for `sync --dry-run`.

use std::collections::BTreeMap;

use super::{CreateReason, Delete, DeleteReason, Op, Plan, Update, UpdateReason};
use crate::key::{Module, SourceKey};

fn noun(module: Module, n: usize) -> &'static str {
    match (module, n == 1) {
        (Module::Appointment, true) => "appointment",
        (Module::Appointment, false) => "appointments",
        (Module::Deadline, true) => "deadline",
        (Module::Deadline, false) => "deadlines",
        (Module::Contact, true) => "contact",
        (Module::Contact, false) => "contacts",
    }
}

fn counts<'a>(keys: impl Iterator<Item = &'a SourceKey>) -> String {
    let mut by: BTreeMap<Module, usize> = BTreeMap::new();
    for k in keys {
        *by.entry(k.module).or_default() += 1;
    }
    by.into_iter()
        .map(|(m, n)| format!("{n} {}", noun(m, n)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Plan {
    /// Number of requests the plan makes.
    pub fn requests(&self) -> usize {
        self.ops.len()
    }

    /// The plan in plain words, for `docketsync sync --dry-run`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let creates = |r: CreateReason| {
            self.ops.iter().filter_map(move |o| match o {
                Op::Create(c) if c.reason == r => Some(&c.key),
                _ => None,
            })
        };
        let new: Vec<&SourceKey> = creates(CreateReason::New)
            .chain(creates(CreateReason::Retry))
            .collect();
        if !new.is_empty() {
            parts.push(format!("create {}", counts(new.into_iter())));
        }
        let updates: Vec<&Update> = self
            .ops
            .iter()
            .filter_map(|o| match o {
                Op::Update(u) => Some(u),
                _ => None,
            })
            .collect();
        if !updates.is_empty() {
            let edited = updates
                .iter()
                .filter(|u| u.reason == UpdateReason::EditedByUser)
                .count();
            let mut s = format!("update {}", counts(updates.iter().map(|u| &u.key)));
            if edited > 0 {
                s.push_str(&format!(" ({edited} edited in Outlook, the PMS wins)"));
            }
            parts.push(s);
        }
        let deletes: Vec<&Delete> = self
            .ops
            .iter()
            .filter_map(|o| match o {
                Op::Delete(d) if d.reason.removes() => Some(d),
                _ => None,
            })
            .collect();
        if !deletes.is_empty() {
            let mut why: BTreeMap<&str, usize> = BTreeMap::new();
            for d in &deletes {
                *why.entry(match d.reason {
                    DeleteReason::DeletedInSource => "gone from the PMS",
                    DeleteReason::Cancelled => "cancelled",
                    DeleteReason::Unsubscribed => "unsubscribed",
                    _ => "no longer in their series",
                })
                .or_default() += 1;
            }
            let why = why
                .into_iter()
                .map(|(w, n)| format!("{n} {w}"))
                .collect::<Vec<_>>()
                .join(", ");
            parts.push(format!(
                "delete {} ({why})",
                counts(deletes.iter().map(|d| &d.key))
            ));
        }
        let recreate: Vec<&SourceKey> = creates(CreateReason::Recreate).collect();
        if !recreate.is_empty() {
            parts.push(format!(
                "recreate {} deleted in Outlook",
                counts(recreate.into_iter())
            ));
        }
        let moved: Vec<&SourceKey> = creates(CreateReason::KindChanged).collect();
        if !moved.is_empty() {
            parts.push(format!(
                "move {} to the other place (deadlines_to changed)",
                counts(moved.into_iter())
            ));
        }
        let dups = self
            .ops
            .iter()
            .filter(|o| matches!(o, Op::Delete(d) if d.reason == DeleteReason::Duplicate))
            .count();
        if dups > 0 {
            parts.push(format!("remove {dups} duplicate(s)"));
        }
        if !self.skips.is_empty() {
            let shown: Vec<String> = self
                .skips
                .iter()
                .take(5)
                .map(|s| format!("{}: {}", s.record, s.reason))
                .collect();
            let more = self.skips.len().saturating_sub(shown.len());
            let mut s = format!("skip {}: {}", self.skips.len(), shown.join("; "));
            if more > 0 {
                s.push_str(&format!("; and {more} more"));
            }
            parts.push(s);
        }
        let mut text = if parts.is_empty() {
            "nothing to do".to_string()
        } else {
            parts.join(", ")
        };
        text.push_str(&format!(" ({} unchanged", self.unchanged));
        if self.left_alone > 0 {
            text.push_str(&format!(", {} left alone", self.left_alone));
        }
        text.push(')');
        if let Some(b) = &self.brake {
            text.push('\n');
            text.push_str(&b.message);
        }
        for n in &self.notices {
            text.push_str("\nnote: ");
            text.push_str(n);
        }
        text
    }
}

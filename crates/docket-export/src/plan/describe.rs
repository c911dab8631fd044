//! The plan as data ([`PlanSummary`]: counts, not prose) and in words, for
//! `sync --dry-run`, rendered by `docket_text` in the reader's language.

use docket_text::{Message, Texts};
use serde::Serialize;

use super::{CreateReason, DeleteReason, Op, Plan, UpdateReason};
use crate::key::{Module, SourceKey};

/// How many items of each module.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ModuleCounts {
    pub appointments: usize,
    pub deadlines: usize,
    pub contacts: usize,
}

impl ModuleCounts {
    fn of<'a>(keys: impl Iterator<Item = &'a SourceKey>) -> ModuleCounts {
        let mut c = ModuleCounts::default();
        for k in keys {
            match k.module {
                Module::Appointment => c.appointments += 1,
                Module::Deadline => c.deadlines += 1,
                Module::Contact => c.contacts += 1,
            }
        }
        c
    }

    pub fn total(&self) -> usize {
        self.appointments + self.deadlines + self.contacts
    }

    /// "1 appointment, 2 contacts" (modules with none left out).
    pub fn describe_in(&self, texts: &Texts) -> String {
        [
            ("sync-count-appointments", self.appointments),
            ("sync-count-deadlines", self.deadlines),
            ("sync-count-contacts", self.contacts),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(id, n)| texts.render(&Message::new(id).number("n", n)))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Why the deletions that remove data are made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WhyDeleted {
    pub gone_from_pms: usize,
    pub cancelled: usize,
    pub unsubscribed: usize,
    pub not_in_series: usize,
}

/// What a plan will do, counted: what a front end shows for a dry run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    /// New items (also creates tried again).
    pub create: ModuleCounts,
    pub update: ModuleCounts,
    /// Of the updates: items edited in Outlook that the PMS overwrites.
    pub edited_in_outlook: usize,
    /// Deletions that remove data.
    pub delete: ModuleCounts,
    pub why_deleted: WhyDeleted,
    /// Items deleted in Outlook that the PMS still has.
    pub recreate: ModuleCounts,
    /// Deadlines moved between To Do and the calendar (`deadlines_to`).
    pub moved: ModuleCounts,
    /// Second copies of our items removed.
    pub duplicates: usize,
    pub skipped: usize,
    pub unchanged: usize,
    pub left_alone: usize,
}

impl PlanSummary {
    /// The counts in words: "create 1 appointment, … (3 unchanged)".
    pub fn describe_in(&self, texts: &Texts) -> String {
        self.finish(texts, self.parts(texts))
    }

    fn parts(&self, texts: &Texts) -> Vec<String> {
        let mut parts = Vec::new();
        let items = |c: &ModuleCounts| c.describe_in(texts);
        if self.create.total() > 0 {
            parts.push(
                texts.render(&Message::new("sync-plan-create").text("items", items(&self.create))),
            );
        }
        if self.update.total() > 0 {
            let m = if self.edited_in_outlook > 0 {
                Message::new("sync-plan-update-edited").number("edited", self.edited_in_outlook)
            } else {
                Message::new("sync-plan-update")
            };
            parts.push(texts.render(&m.text("items", items(&self.update))));
        }
        if self.delete.total() > 0 {
            let w = &self.why_deleted;
            let why = [
                ("sync-plan-why-gone", w.gone_from_pms),
                ("sync-plan-why-cancelled", w.cancelled),
                ("sync-plan-why-unsubscribed", w.unsubscribed),
                ("sync-plan-why-not-in-series", w.not_in_series),
            ]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(id, n)| texts.render(&Message::new(id).number("n", n)))
            .collect::<Vec<_>>()
            .join(", ");
            parts.push(
                texts.render(
                    &Message::new("sync-plan-delete")
                        .text("items", items(&self.delete))
                        .text("why", why),
                ),
            );
        }
        for (id, c) in [
            ("sync-plan-recreate", &self.recreate),
            ("sync-plan-move", &self.moved),
        ] {
            if c.total() > 0 {
                parts.push(texts.render(&Message::new(id).text("items", items(c))));
            }
        }
        if self.duplicates > 0 {
            parts.push(
                texts.render(&Message::new("sync-plan-duplicates").number("n", self.duplicates)),
            );
        }
        parts
    }

    /// The parts joined, then the unchanged count.
    fn finish(&self, texts: &Texts, parts: Vec<String>) -> String {
        let parts = if parts.is_empty() {
            texts.word("sync-plan-nothing")
        } else {
            parts.join(", ")
        };
        let m = if self.left_alone > 0 {
            Message::new("sync-plan-unchanged-left-alone").number("left", self.left_alone)
        } else {
            Message::new("sync-plan-unchanged")
        };
        texts.render(&m.text("parts", parts).number("n", self.unchanged))
    }
}

/// The counts in English, for logs.
impl std::fmt::Display for PlanSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe_in(crate::english()))
    }
}

impl Plan {
    /// Number of requests the plan makes.
    pub fn requests(&self) -> usize {
        self.ops.len()
    }

    /// What the plan will do, counted.
    pub fn summary(&self) -> PlanSummary {
        let creates = |r: CreateReason| {
            self.ops.iter().filter_map(move |o| match o {
                Op::Create(c) if c.reason == r => Some(&c.key),
                _ => None,
            })
        };
        let mut s = PlanSummary {
            create: ModuleCounts::of(
                creates(CreateReason::New).chain(creates(CreateReason::Retry)),
            ),
            recreate: ModuleCounts::of(creates(CreateReason::Recreate)),
            moved: ModuleCounts::of(creates(CreateReason::KindChanged)),
            skipped: self.skips.len(),
            unchanged: self.unchanged,
            left_alone: self.left_alone,
            ..PlanSummary::default()
        };
        let updates = self.ops.iter().filter_map(|o| match o {
            Op::Update(u) => Some(u),
            _ => None,
        });
        s.update = ModuleCounts::of(updates.clone().map(|u| &u.key));
        s.edited_in_outlook = updates
            .filter(|u| u.reason == UpdateReason::EditedByUser)
            .count();
        let deletes = self.ops.iter().filter_map(|o| match o {
            Op::Delete(d) if d.reason.removes() => Some(d),
            _ => None,
        });
        s.delete = ModuleCounts::of(deletes.clone().map(|d| &d.key));
        for d in deletes {
            let w = &mut s.why_deleted;
            match d.reason {
                DeleteReason::DeletedInSource => w.gone_from_pms += 1,
                DeleteReason::Cancelled => w.cancelled += 1,
                DeleteReason::Unsubscribed => w.unsubscribed += 1,
                _ => w.not_in_series += 1,
            }
        }
        s.duplicates = self
            .ops
            .iter()
            .filter(|o| matches!(o, Op::Delete(d) if d.reason == DeleteReason::Duplicate))
            .count();
        s
    }

    /// The plan in plain words (for logs and tests): the counts, the first
    /// five skips, the brake and the notices.
    pub fn describe_in(&self, texts: &Texts) -> String {
        let summary = self.summary();
        let mut parts = summary.parts(texts);
        if !self.skips.is_empty() {
            let shown: Vec<String> = self
                .skips
                .iter()
                .take(5)
                .map(|s| {
                    texts.render(
                        &Message::new("sync-skip-line-nofile")
                            .arg("record", docket_source::record_label(&s.record))
                            .message("reason", s.reason.clone()),
                    )
                })
                .collect();
            let more = self.skips.len().saturating_sub(shown.len());
            let m = if more > 0 {
                Message::new("sync-plan-skip-more").number("more", more)
            } else {
                Message::new("sync-plan-skip")
            };
            parts.push(
                texts.render(
                    &m.number("n", self.skips.len())
                        .text("shown", shown.join("; ")),
                ),
            );
        }
        let mut text = summary.finish(texts, parts);
        if let Some(b) = &self.brake {
            text.push('\n');
            text.push_str(&texts.render(&b.message()));
        }
        for n in &self.notices {
            text.push('\n');
            text.push_str(
                &texts.render(&Message::new("sync-plan-note").message("notice", n.clone())),
            );
        }
        text
    }

    /// [`Plan::describe_in`] in English.
    pub fn describe(&self) -> String {
        self.describe_in(crate::english())
    }
}

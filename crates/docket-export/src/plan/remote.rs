//! What Microsoft 365 reported, indexed: which of our items are there,
//! gone or quiet, and which item we hold for a source key.

use docket_text::Message;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Entry, ExportState, Listing, Remote, RemoteItem};
use crate::key::{ItemKind, SourceKey};

/// The remote status of an item we know by id.
pub(super) enum Seen<'a> {
    /// Nothing reported: as we left it.
    Quiet,
    Present(&'a RemoteItem),
    Gone,
}

pub(super) struct RemoteIndex<'a> {
    pub(super) changed: HashMap<(ItemKind, &'a str), &'a RemoteItem>,
    pub(super) gone: HashSet<(ItemKind, &'a str)>,
    /// Kinds with a trusted full listing: absence means deleted.
    pub(super) trusted_full: HashSet<ItemKind>,
    /// Our items found by tag in full listings.
    pub(super) by_key: BTreeMap<&'a SourceKey, Vec<(ItemKind, &'a RemoteItem)>>,
}

impl<'a> RemoteIndex<'a> {
    pub(super) fn new(
        remote: &'a Remote,
        state: &ExportState,
        force: bool,
        notices: &mut Vec<Message>,
    ) -> RemoteIndex<'a> {
        let mut ix = RemoteIndex {
            changed: HashMap::new(),
            gone: HashSet::new(),
            trusted_full: HashSet::new(),
            by_key: BTreeMap::new(),
        };
        for kind in [ItemKind::Event, ItemKind::Task, ItemKind::Contact] {
            match remote.listing(kind) {
                Listing::Delta { changed, deleted } => {
                    for i in changed {
                        ix.changed.insert((kind, i.id.as_str()), i);
                    }
                    for id in deleted {
                        ix.gone.insert((kind, id.as_str()));
                    }
                }
                Listing::Full { items, complete } => {
                    for i in items {
                        ix.changed.insert((kind, i.id.as_str()), i);
                        if let Some(k) = &i.key {
                            ix.by_key.entry(k).or_default().push((kind, i));
                        }
                    }
                    let tracked = state
                        .values()
                        .filter(|e| e.kind == kind && e.remote_id.is_some())
                        .count();
                    if !complete {
                        notices.push(
                            Message::new("sync-notice-listing-incomplete")
                                .text("kind", kind.as_str()),
                        );
                    } else if items.is_empty() && tracked > 0 && !force {
                        notices.push(
                            Message::new("sync-notice-listing-empty")
                                .text("kind", kind.as_str())
                                .number("n", tracked),
                        );
                    } else {
                        ix.trusted_full.insert(kind);
                    }
                }
            }
        }
        ix
    }

    pub(super) fn seen(&self, kind: ItemKind, id: &str) -> Seen<'a> {
        if self.gone.contains(&(kind, id)) {
            return Seen::Gone;
        }
        if let Some(i) = self.changed.get(&(kind, id)) {
            return Seen::Present(i);
        }
        if self.trusted_full.contains(&kind) {
            return Seen::Gone;
        }
        Seen::Quiet
    }
}

/// The current Microsoft 365 item for a key.
pub(super) struct Current<'a> {
    pub(super) kind: ItemKind,
    pub(super) id: &'a str,
    pub(super) container: Option<String>,
    pub(super) seen: Option<&'a RemoteItem>,
    pub(super) adopted: bool,
}

/// What we hold in Microsoft 365 for one key.
pub(super) struct Held<'a> {
    pub(super) current: Option<Current<'a>>,
    /// The state's item was deleted in Microsoft 365.
    pub(super) gone: bool,
    /// Further items carrying this key's tag: extra copies.
    pub(super) extra: Vec<(ItemKind, &'a RemoteItem)>,
}

impl<'a> RemoteIndex<'a> {
    /// The item we hold for this key: the state's, unless it is gone;
    /// else one found by its tag (preferring the kind we `want`).
    pub(super) fn held<'b>(
        &'b self,
        key: &SourceKey,
        e: Option<&'b Entry>,
        want: Option<ItemKind>,
    ) -> Held<'b> {
        let mut found: Vec<(ItemKind, &RemoteItem)> =
            self.by_key.get(key).cloned().unwrap_or_default();
        let mut gone = false;
        let mut current = None;
        if let Some((e, id)) = e.and_then(|e| e.remote_id.as_deref().map(|id| (e, id))) {
            match self.seen(e.kind, id) {
                Seen::Gone => gone = true,
                seen => {
                    current = Some(Current {
                        kind: e.kind,
                        id,
                        container: e.container.clone(),
                        seen: match seen {
                            Seen::Present(i) => Some(i),
                            _ => None,
                        },
                        adopted: false,
                    })
                }
            }
            found.retain(|(k, i)| !(*k == e.kind && i.id == id));
        }
        if current.is_none() && !found.is_empty() {
            let pick = found
                .iter()
                .position(|(k, _)| Some(*k) == want)
                .unwrap_or(0);
            let (kind, item) = found.remove(pick);
            current = Some(Current {
                kind,
                id: &item.id,
                container: item.container.clone(),
                seen: Some(item),
                adopted: true,
            });
        }
        Held {
            current,
            gone,
            extra: found,
        }
    }
}

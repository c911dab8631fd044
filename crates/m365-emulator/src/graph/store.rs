//! A mailbox's items and their change history, as plain serde data.
//!
//! Every item carries Graph's bookkeeping (`id`, `changeKey`, created and
//! last-modified times) plus `seq`, the mailbox-wide change counter at its
//! last change. Deleted items become tombstones with the `seq` of the
//! deletion. A delta token remembers the `seq` it has seen, so "what changed
//! since" is a filter on `seq`, and expiring every token of a mailbox is a
//! bump of `sync_generation`.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    Calendar,
    Event,
    TodoList,
    Task,
    ContactFolder,
    Contact,
}

impl Kind {
    /// The `@odata.type` of the resource.
    pub fn odata_type(self) -> &'static str {
        match self {
            Kind::Calendar => "#microsoft.graph.calendar",
            Kind::Event => "#microsoft.graph.event",
            Kind::TodoList => "#microsoft.graph.todoTaskList",
            Kind::Task => "#microsoft.graph.todoTask",
            Kind::ContactFolder => "#microsoft.graph.contactFolder",
            Kind::Contact => "#microsoft.graph.contact",
        }
    }

    /// The type name used in OData error messages.
    pub fn type_name(self) -> &'static str {
        &self.odata_type()[1..]
    }

    /// Outlook items have a `changeKey` property; To Do items only an etag.
    pub fn has_change_key(self) -> bool {
        matches!(self, Kind::Calendar | Kind::Event | Kind::Contact)
    }

    /// Single-value extended properties exist on Outlook items only, not on
    /// To Do (<https://learn.microsoft.com/en-us/graph/api/resources/extended-properties-overview>).
    pub fn has_extended_properties(self) -> bool {
        matches!(
            self,
            Kind::Calendar | Kind::Event | Kind::ContactFolder | Kind::Contact
        )
    }
}

/// `{id, value}` of a single-value extended property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtendedProperty {
    pub id: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    /// Calendar, list or folder id; empty for containers.
    #[serde(default)]
    pub parent_id: String,
    pub change_key: String,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub seq: u64,
    /// The Graph properties as written (validated, normalised).
    pub props: Map<String, Value>,
    #[serde(default)]
    pub extended: Vec<ExtendedProperty>,
    /// Open extensions, each a JSON object with `id` and `extensionName`.
    #[serde(default)]
    pub extensions: Vec<Map<String, Value>>,
    /// To Do `linkedResources`, each with an `id`.
    #[serde(default)]
    pub linked_resources: Vec<Map<String, Value>>,
    /// Made or last changed "by the user in Outlook" (admin API).
    #[serde(default)]
    pub user_made: bool,
}

impl Item {
    pub fn etag(&self) -> String {
        format!("W/\"{}\"", self.change_key)
    }

    pub fn str_prop(&self, key: &str) -> Option<&str> {
        self.props.get(key).and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tombstone {
    pub kind: Kind,
    pub seq: u64,
    pub deleted: DateTime<Utc>,
    /// The item as it was, so calendar delta can name its occurrences.
    pub item: Item,
}

/// One user's mailbox: calendars and events, To Do lists and tasks,
/// contact folders and contacts.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Mailbox {
    /// Mailbox-wide change counter.
    #[serde(default)]
    pub seq: u64,
    /// Delta tokens carry the generation they were issued in; bumping it
    /// expires them all.
    #[serde(default)]
    pub sync_generation: u64,
    #[serde(default)]
    pub calendars: Vec<Item>,
    #[serde(default)]
    pub events: Vec<Item>,
    #[serde(default)]
    pub todo_lists: Vec<Item>,
    #[serde(default)]
    pub tasks: Vec<Item>,
    #[serde(default)]
    pub contact_folders: Vec<Item>,
    #[serde(default)]
    pub contacts: Vec<Item>,
    #[serde(default)]
    pub tombstones: Vec<Tombstone>,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new Outlook-style item id: opaque, URL-safe, case-sensitive.
pub fn new_id(prefix: &str) -> String {
    let a = uuid::Uuid::new_v4();
    let b = uuid::Uuid::new_v4();
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(a.as_bytes());
    bytes.extend_from_slice(b.as_bytes());
    format!("{prefix}{}", b64(&bytes))
}

fn new_change_key() -> String {
    base64::engine::general_purpose::STANDARD.encode(uuid::Uuid::new_v4().as_bytes())
}

impl Mailbox {
    pub fn items(&self, kind: Kind) -> &Vec<Item> {
        match kind {
            Kind::Calendar => &self.calendars,
            Kind::Event => &self.events,
            Kind::TodoList => &self.todo_lists,
            Kind::Task => &self.tasks,
            Kind::ContactFolder => &self.contact_folders,
            Kind::Contact => &self.contacts,
        }
    }

    fn items_mut(&mut self, kind: Kind) -> &mut Vec<Item> {
        match kind {
            Kind::Calendar => &mut self.calendars,
            Kind::Event => &mut self.events,
            Kind::TodoList => &mut self.todo_lists,
            Kind::Task => &mut self.tasks,
            Kind::ContactFolder => &mut self.contact_folders,
            Kind::Contact => &mut self.contacts,
        }
    }

    pub fn get(&self, kind: Kind, id: &str) -> Option<&Item> {
        self.items(kind).iter().find(|i| i.id == id)
    }

    pub fn get_mut(&mut self, kind: Kind, id: &str) -> Option<&mut Item> {
        self.items_mut(kind).iter_mut().find(|i| i.id == id)
    }

    /// Create the folders every mailbox has: the primary calendar, the
    /// default To Do list ("Tasks") and the default contacts folder.
    pub fn ensure_defaults(&mut self, now: DateTime<Utc>) {
        if self.calendars.is_empty() {
            let mut props = Map::new();
            props.insert("name".into(), "Calendar".into());
            props.insert("isDefaultCalendar".into(), true.into());
            self.insert(Kind::Calendar, "", props, now);
        }
        if self.todo_lists.is_empty() {
            let mut props = Map::new();
            props.insert("displayName".into(), "Tasks".into());
            props.insert("wellknownListName".into(), "defaultList".into());
            self.insert(Kind::TodoList, "", props, now);
        }
        if self.contact_folders.is_empty() {
            let mut props = Map::new();
            props.insert("displayName".into(), "Contacts".into());
            props.insert("isDefault".into(), true.into());
            self.insert(Kind::ContactFolder, "", props, now);
        }
    }

    pub fn primary_calendar_id(&self) -> String {
        self.calendars
            .iter()
            .find(|c| c.props.get("isDefaultCalendar") == Some(&Value::Bool(true)))
            .or(self.calendars.first())
            .map(|c| c.id.clone())
            .unwrap_or_default()
    }

    pub fn default_contact_folder_id(&self) -> String {
        self.contact_folders
            .iter()
            .find(|c| c.props.get("isDefault") == Some(&Value::Bool(true)))
            .or(self.contact_folders.first())
            .map(|c| c.id.clone())
            .unwrap_or_default()
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn insert(
        &mut self,
        kind: Kind,
        parent_id: &str,
        props: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> &mut Item {
        let seq = self.next_seq();
        let prefix = match kind {
            Kind::Task | Kind::TodoList => "AAkALg",
            _ => "AAMkA",
        };
        let item = Item {
            id: new_id(prefix),
            parent_id: parent_id.to_string(),
            change_key: new_change_key(),
            created: now,
            modified: now,
            seq,
            props,
            extended: vec![],
            extensions: vec![],
            linked_resources: vec![],
            user_made: false,
        };
        let items = self.items_mut(kind);
        items.push(item);
        items.last_mut().expect("just pushed")
    }

    /// Record a change to an item: new changeKey, modified time and `seq`.
    pub fn touch(&mut self, kind: Kind, id: &str, now: DateTime<Utc>) -> Option<&mut Item> {
        let seq = self.next_seq();
        let item = self.get_mut(kind, id)?;
        item.seq = seq;
        item.change_key = new_change_key();
        item.modified = now;
        Some(item)
    }

    /// Delete an item and whatever it contains (a list's tasks, a
    /// folder's contacts, a calendar's events), leaving tombstones.
    pub fn delete(&mut self, kind: Kind, id: &str, now: DateTime<Utc>) -> bool {
        let items = self.items_mut(kind);
        let Some(pos) = items.iter().position(|i| i.id == id) else {
            return false;
        };
        let item = items.remove(pos);
        let seq = self.next_seq();
        self.tombstones.push(Tombstone {
            kind,
            seq,
            deleted: now,
            item,
        });
        let child = match kind {
            Kind::Calendar => Some(Kind::Event),
            Kind::TodoList => Some(Kind::Task),
            Kind::ContactFolder => Some(Kind::Contact),
            _ => None,
        };
        if let Some(child) = child {
            let ids: Vec<String> = self
                .items(child)
                .iter()
                .filter(|i| i.parent_id == id)
                .map(|i| i.id.clone())
                .collect();
            for cid in ids {
                self.delete(child, &cid, now);
            }
        }
        true
    }

    /// Expire every delta and skip token issued so far.
    pub fn expire_sync_state(&mut self) {
        self.sync_generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_a_list_tombstones_its_tasks_and_bumps_seq() {
        let now = Utc::now();
        let mut mb = Mailbox::default();
        mb.ensure_defaults(now);
        let list = mb.todo_lists[0].id.clone();
        let t = mb.insert(Kind::Task, &list, Map::new(), now).id.clone();
        let before = mb.seq;
        assert!(mb.delete(Kind::TodoList, &list, now));
        assert!(mb.tasks.is_empty());
        let kinds: Vec<(Kind, &str)> = mb
            .tombstones
            .iter()
            .map(|t| (t.kind, t.item.id.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![(Kind::TodoList, list.as_str()), (Kind::Task, t.as_str())]
        );
        assert!(mb.tombstones.iter().all(|t| t.seq > before));
    }

    #[test]
    fn touch_changes_the_change_key() {
        let now = Utc::now();
        let mut mb = Mailbox::default();
        let id = mb.insert(Kind::Contact, "", Map::new(), now).id.clone();
        let k1 = mb.get(Kind::Contact, &id).unwrap().change_key.clone();
        mb.touch(Kind::Contact, &id, now);
        assert_ne!(mb.get(Kind::Contact, &id).unwrap().change_key, k1);
    }
}

//! Identity: the stable source key of every item we export, and the tag
//! that carries it inside Microsoft 365 so we can always find our own items.

use std::fmt;
use std::str::FromStr;

use docket_source::Moment;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Our fixed namespace GUID for the extended property. Chosen once; never
/// change it, or every item exported before becomes a stranger.
pub const TAG_GUID: &str = "34148593-7bd8-4a48-b4b5-bc86b733efb2";
/// The name of our single-value extended property.
pub const TAG_NAME: &str = "DocketSyncSourceId";
/// The full property id, in Graph's named-property format
/// (<https://learn.microsoft.com/en-us/graph/api/resources/extended-properties-overview>).
pub const TAG_PROPERTY_ID: &str =
    "String {34148593-7bd8-4a48-b4b5-bc86b733efb2} Name DocketSyncSourceId";
/// `applicationName` of the `linkedResource` that tags a To Do task (tasks
/// have no extended properties).
pub const APPLICATION_NAME: &str = "Docket Sync";

/// Which part of the PMS an item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Module {
    /// Appointments (`VEVENT`), governed by `modules.calendar`.
    Appointment,
    /// Deadlines and follow-ups (`VTODO`), governed by `modules.tasks`.
    Deadline,
    /// Contacts (vCard), governed by `modules.contacts`.
    Contact,
}

impl Module {
    pub fn as_str(self) -> &'static str {
        match self {
            Module::Appointment => "appointment",
            Module::Deadline => "deadline",
            Module::Contact => "contact",
        }
    }
}

/// What kind of Microsoft 365 item carries a source item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ItemKind {
    /// An Outlook calendar event.
    Event,
    /// A Microsoft To Do task.
    Task,
    /// An Outlook contact.
    Contact,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Event => "event",
            ItemKind::Task => "task",
            ItemKind::Contact => "contact",
        }
    }
}

/// The stable identity of one exported item: module + UID, and for one
/// occurrence of a series (an override, or an occurrence we expanded) the
/// occurrence's original start.
///
/// Text form (the tag's value and the state key): `appointment:<uid>`,
/// `appointment@20261102T080000Z:<uid>`, `deadline:<uid>`, `contact:<uid>`.
/// The UID comes last, so it may contain any character.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct SourceKey {
    pub module: Module,
    pub uid: String,
    /// The occurrence id (see [`occurrence_id`]); `None` for a whole item.
    pub occurrence: Option<String>,
}

impl SourceKey {
    pub fn new(module: Module, uid: impl Into<String>) -> SourceKey {
        SourceKey {
            module,
            uid: uid.into(),
            occurrence: None,
        }
    }

    pub fn occurrence(module: Module, uid: impl Into<String>, occurrence: String) -> SourceKey {
        SourceKey {
            module,
            uid: uid.into(),
            occurrence: Some(occurrence),
        }
    }
}

impl fmt::Display for SourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.occurrence {
            None => write!(f, "{}:{}", self.module.as_str(), self.uid),
            Some(o) => write!(f, "{}@{}:{}", self.module.as_str(), o, self.uid),
        }
    }
}

/// A tag value that is not a source key of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a Docket Sync source key")]
pub struct BadKey(pub String);

impl FromStr for SourceKey {
    type Err = BadKey;

    fn from_str(s: &str) -> Result<SourceKey, BadKey> {
        let bad = || BadKey(s.to_string());
        let (head, uid) = s.split_once(':').ok_or_else(bad)?;
        let (module, occurrence) = match head.split_once('@') {
            Some((m, o)) if !o.is_empty() => (m, Some(o.to_string())),
            Some(_) => return Err(bad()),
            None => (head, None),
        };
        let module = match module {
            "appointment" => Module::Appointment,
            "deadline" => Module::Deadline,
            "contact" => Module::Contact,
            _ => return Err(bad()),
        };
        if uid.is_empty() {
            return Err(bad());
        }
        Ok(SourceKey {
            module,
            uid: uid.to_string(),
            occurrence,
        })
    }
}

impl From<SourceKey> for String {
    fn from(k: SourceKey) -> String {
        k.to_string()
    }
}

impl TryFrom<String> for SourceKey {
    type Error = BadKey;
    fn try_from(s: String) -> Result<SourceKey, BadKey> {
        s.parse()
    }
}

/// The occurrence id of a RECURRENCE-ID (or of an occurrence we expanded):
/// a zoned time as its UTC instant `20261102T080000Z`, a floating time as
/// `20261102T090000`, a date as `20261102`. Two spellings of one instant in
/// different zones give the same id.
pub fn occurrence_id(m: &Moment) -> String {
    match m {
        Moment::Date(d) => d.format("%Y%m%d").to_string(),
        Moment::DateTime(z) => match z.instant() {
            Some(t) => t.format("%Y%m%dT%H%M%SZ").to_string(),
            None => z.local.format("%Y%m%dT%H%M%S").to_string(),
        },
    }
}

fn quote(s: &str) -> String {
    s.replace('\'', "''")
}

/// `$filter` that lists every event or contact we made (on
/// `/me/events`, `/me/calendars/{id}/events`, `/me/contactFolders/{id}/contacts`).
pub fn owned_filter() -> String {
    format!(
        "singleValueExtendedProperties/Any(ep: ep/id eq '{TAG_PROPERTY_ID}' and ep/value ne '')"
    )
}

/// `$filter` that finds the event or contact we made for `key`. Graph
/// compares the value case-insensitively: two UIDs that differ only in case
/// would find each other's items (the planner matches the key exactly).
pub fn key_filter(key: &SourceKey) -> String {
    format!(
        "singleValueExtendedProperties/Any(ep: ep/id eq '{TAG_PROPERTY_ID}' and ep/value eq '{}')",
        quote(&key.to_string())
    )
}

/// `$expand` that returns our tag with each event or contact.
pub fn tag_expand() -> String {
    format!("singleValueExtendedProperties($filter=id eq '{TAG_PROPERTY_ID}')")
}

/// `$expand` for To Do tasks: Graph cannot `$filter` tasks by linked
/// resource, so the executor lists the task list with this expand and keeps
/// the tasks for which [`key_of`] finds our tag.
pub const TASK_EXPAND: &str = "linkedResources";

/// The tag fragment of a create body: the extended property (events,
/// contacts) or the linked resource (tasks).
pub fn tag_json(kind: ItemKind, key: &SourceKey, display_name: &str) -> (&'static str, Value) {
    match kind {
        ItemKind::Event | ItemKind::Contact => (
            "singleValueExtendedProperties",
            serde_json::json!([{ "id": TAG_PROPERTY_ID, "value": key.to_string() }]),
        ),
        ItemKind::Task => (
            "linkedResources",
            serde_json::json!([{
                "applicationName": APPLICATION_NAME,
                "displayName": display_name,
                "externalId": key.to_string(),
            }]),
        ),
    }
}

/// Our source key in an item as Graph returns it (with [`tag_expand`] or
/// [`TASK_EXPAND`]), or `None` for an item the user made.
pub fn key_of(item: &Value) -> Option<SourceKey> {
    if let Some(props) = item["singleValueExtendedProperties"].as_array() {
        let ours = props.iter().find(|p| {
            p["id"]
                .as_str()
                .is_some_and(|id| same_property_id(id, TAG_PROPERTY_ID))
        });
        if let Some(v) = ours.and_then(|p| p["value"].as_str()) {
            return v.parse().ok();
        }
    }
    item["linkedResources"]
        .as_array()?
        .iter()
        .find(|r| r["applicationName"].as_str() == Some(APPLICATION_NAME))
        .and_then(|r| r["externalId"].as_str())
        .and_then(|v| v.parse().ok())
}

/// Graph returns the property id with the GUID possibly in another case;
/// the type and GUID compare case-insensitively, the name exactly.
fn same_property_id(a: &str, b: &str) -> bool {
    match (a.rsplit_once(" Name "), b.rsplit_once(" Name ")) {
        (Some((ta, na)), Some((tb, nb))) => ta.eq_ignore_ascii_case(tb) && na == nb,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Parses `text`; expects its re-rendering, or `Err` when it is no key.
    fn check(text: &str, expect: Result<&str, ()>) {
        let got = text.parse::<SourceKey>().map(|k| k.to_string());
        assert_eq!(got.as_deref().map_err(|_| ()), expect, "parsing {text:?}");
    }

    #[test]
    fn keys_round_trip_and_reject_strangers() {
        check("appointment:abc", Ok("appointment:abc"));
        check("deadline:a:b@c", Ok("deadline:a:b@c"));
        check(
            "appointment@20261102T080000Z:x@y",
            Ok("appointment@20261102T080000Z:x@y"),
        );
        check("contact:", Err(()));
        check("appointment@:x", Err(()));
        check("meeting:x", Err(()));
        check("no-colon", Err(()));
    }

    #[test]
    fn tags_are_found_in_graph_items() {
        let key: SourceKey = "deadline:f-1".parse().unwrap();
        let (_, tag) = tag_json(ItemKind::Event, &key, "x");
        // Graph may return the GUID in upper case.
        let mut upper = tag.clone();
        upper[0]["id"] = json!(TAG_PROPERTY_ID
            .to_uppercase()
            .replace("NAME DOCKETSYNCSOURCEID", "Name DocketSyncSourceId"));
        for item in [
            json!({"singleValueExtendedProperties": tag}),
            json!({"singleValueExtendedProperties": upper}),
        ] {
            assert_eq!(key_of(&item), Some(key.clone()));
        }
        let (_, linked) = tag_json(ItemKind::Task, &key, "Berufungsfrist");
        assert_eq!(
            key_of(&json!({"linkedResources": linked})),
            Some(key.clone())
        );
        // Someone else's linked resource, or a user's own item: not ours.
        let foreign = json!({"linkedResources": [{"applicationName": "Other", "externalId": "deadline:f-1"}]});
        assert_eq!(key_of(&foreign), None);
        assert_eq!(key_of(&json!({"subject": "lunch"})), None);
    }

    #[test]
    fn filters_quote_the_value() {
        let key = SourceKey::new(Module::Contact, "o'brien");
        assert!(key_filter(&key).ends_with("ep/value eq 'contact:o''brien')"));
    }
}

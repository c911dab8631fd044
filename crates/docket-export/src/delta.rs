//! What Graph's delta pages and listings say, read into the planner's
//! [`Listing`]s and [`RemoteItem`]s: pure, over the items' JSON.
//!
//! An occurrence of a series stands for its series master; an item that
//! left the window (`@removed` with reason `changed`) was not deleted.

use serde_json::Value;

use crate::key::{key_of, ItemKind};
use crate::{Listing, RemoteItem};

/// An item's version: its `changeKey`, else its `@odata.etag`.
pub fn version_of(item: &Value) -> Option<String> {
    item["changeKey"]
        .as_str()
        .or_else(|| item["@odata.etag"].as_str())
        .map(str::to_string)
}

/// One listed item as the planner sees it; `None` without an id.
pub fn remote_item(item: &Value, container: Option<&str>) -> Option<RemoteItem> {
    // An occurrence of a series stands for its series master.
    let id = item["seriesMasterId"]
        .as_str()
        .filter(|_| item["type"].as_str() != Some("seriesMaster"))
        .or_else(|| item["id"].as_str())?;
    Some(RemoteItem {
        id: id.to_string(),
        version: version_of(item),
        categories: item["categories"].as_array().map(|c| {
            c.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        }),
        key: key_of(item),
        container: container.map(str::to_string),
    })
}

/// The items of delta pages of `kind` as a [`Listing::Delta`]; tasks
/// carry `list_id` as their container.
pub fn delta_listing(kind: ItemKind, items: &[Value], list_id: Option<&str>) -> Listing {
    let container = if kind == ItemKind::Task {
        list_id
    } else {
        None
    };
    let mut changed: Vec<RemoteItem> = vec![];
    let mut deleted = vec![];
    for item in items {
        if let Some(removed) = item.get("@removed") {
            // "changed": the item left the window, it was not deleted.
            if removed["reason"].as_str() != Some("changed") {
                if let Some(id) = item["id"].as_str() {
                    deleted.push(id.to_string());
                }
            }
        } else if let Some(r) = remote_item(item, container) {
            if r.id != item["id"].as_str().unwrap_or_default() {
                // An occurrence: its master's version is not known here.
                if changed.iter().any(|c| c.id == r.id) {
                    continue;
                }
                changed.push(RemoteItem { version: None, ..r });
            } else {
                changed.retain(|c| c.id != r.id);
                changed.push(r);
            }
        }
    }
    // An occurrence reported without a version must not look like an edit.
    changed.retain(|c| c.version.is_some());
    Listing::Delta { changed, deleted }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{tag_json, Module, SourceKey};
    use serde_json::json;

    /// A listing as a line: `changed id@version[container]{categories}<key>
    /// …; deleted id …`, so that a row reads what the planner is told.
    fn line(listing: &Listing) -> String {
        let Listing::Delta { changed, deleted } = listing else {
            return "full".into();
        };
        let changed: Vec<String> = changed
            .iter()
            .map(|r| {
                let mut s = format!("{}@{}", r.id, r.version.as_deref().unwrap_or("-"));
                if let Some(c) = &r.container {
                    s += &format!("[{c}]");
                }
                if let Some(c) = &r.categories {
                    s += &format!("{{{}}}", c.join(","));
                }
                if let Some(k) = &r.key {
                    s += &format!("<{k}>");
                }
                s
            })
            .collect();
        format!(
            "changed {}; deleted {}",
            changed.join(" "),
            deleted.join(" ")
        )
    }

    fn check(input: (ItemKind, Value), expect: &str) {
        let (kind, items) = input;
        let items = items.as_array().cloned().unwrap_or_default();
        let got = line(&delta_listing(kind, &items, Some("list-1")));
        assert_eq!(got, expect, "{items:?}");
    }

    #[test]
    fn delta_pages_read_as_listings() {
        use ItemKind::*;
        let key = SourceKey::new(Module::Appointment, "a-1");
        let (field, tag) = tag_json(Event, &key, "x");
        let mut tagged = json!({"id": "e1", "changeKey": "v1"});
        tagged[field] = tag;
        let rows: Vec<((ItemKind, Value), String)> = vec![
            // Empty page.
            ((Event, json!([])), "changed ; deleted ".into()),
            // A plain change, with its etag when there is no changeKey.
            (
                (
                    Event,
                    json!([{"id": "e1", "changeKey": "v1"}, {"id": "e2", "@odata.etag": "W/\"2\""}]),
                ),
                "changed e1@v1 e2@W/\"2\"; deleted ".into(),
            ),
            // Deleted vs. left the window.
            (
                (
                    Event,
                    json!([
                        {"id": "e1", "@removed": {"reason": "deleted"}},
                        {"id": "e2", "@removed": {"reason": "changed"}},
                        {"id": "e3", "@removed": {}},
                    ]),
                ),
                "changed ; deleted e1 e3".into(),
            ),
            // An occurrence stands for its master and, without the master's
            // version, is not an edit.
            (
                (
                    Event,
                    json!([{"id": "o1", "seriesMasterId": "m1", "type": "occurrence", "changeKey": "ov"}]),
                ),
                "changed ; deleted ".into(),
            ),
            // The master reported after its occurrence: the master counts.
            (
                (
                    Event,
                    json!([
                        {"id": "o1", "seriesMasterId": "m1", "type": "exception", "changeKey": "ov"},
                        {"id": "m1", "type": "seriesMaster", "seriesMasterId": "m1", "changeKey": "mv"},
                    ]),
                ),
                "changed m1@mv; deleted ".into(),
            ),
            // ... and before it: the occurrence does not replace it.
            (
                (
                    Event,
                    json!([
                        {"id": "m1", "type": "seriesMaster", "changeKey": "mv"},
                        {"id": "o1", "seriesMasterId": "m1", "changeKey": "ov"},
                    ]),
                ),
                "changed m1@mv; deleted ".into(),
            ),
            // The same item twice: the later report counts.
            (
                (
                    Contact,
                    json!([{"id": "c1", "changeKey": "1"}, {"id": "c1", "changeKey": "2"}]),
                ),
                "changed c1@2; deleted ".into(),
            ),
            // Items without id, or with ids and versions that are not strings.
            (
                (
                    Event,
                    json!([
                        {"changeKey": "v"},
                        {"id": 7, "changeKey": "v"},
                        {"id": "e1", "changeKey": 3},
                        {"id": null, "@removed": {"reason": "deleted"}},
                        {"id": "e2", "@removed": {"reason": 5}},
                        {"id": "e3", "seriesMasterId": 9, "changeKey": "v3"},
                    ]),
                ),
                "changed e3@v3; deleted e2".into(),
            ),
            // Non-string categories are left out; a non-array is no categories.
            (
                (
                    Event,
                    json!([
                        {"id": "e1", "changeKey": "v", "categories": ["Red", 1, null, "Blue"]},
                        {"id": "e2", "changeKey": "v", "categories": "Red"},
                    ]),
                ),
                "changed e1@v{Red,Blue} e2@v; deleted ".into(),
            ),
            // Our tag is read; a task carries its list.
            (
                (Event, json!([tagged])),
                format!("changed e1@v1<{key}>; deleted "),
            ),
            (
                (Task, json!([{"id": "t1", "@odata.etag": "t"}])),
                "changed t1@t[list-1]; deleted ".into(),
            ),
            // Not a JSON object at all.
            (
                (Event, json!([1, "x", null, []])),
                "changed ; deleted ".into(),
            ),
        ];
        for (input, expect) in rows {
            check(input, &expect);
        }
    }
}

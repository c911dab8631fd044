//! After a crash: find an item by our tag and adopt it instead of creating
//! a second one (tasks and contacts have no `transactionId`).

use std::collections::HashMap;

use docket_export::{key, CreateReason, ItemKind, Listing, Op, Plan, SourceKey};
use docket_graph::{GraphClient, TokenSource};

use super::read::{full_listing, url_encode};
use crate::AppError;
use docket_export::delta::{remote_item, version_of};

/// The ids of the items carrying `key`'s tag.
pub(super) async fn find_by_tag<T: TokenSource>(
    graph: &GraphClient<T>,
    kind: ItemKind,
    key: &SourceKey,
    list_id: Option<&str>,
) -> Result<Vec<String>, AppError> {
    let items = match kind {
        ItemKind::Task => match full_listing(graph, kind, list_id).await? {
            Listing::Full { items, .. } => items,
            Listing::Delta { .. } => vec![],
        },
        ItemKind::Event | ItemKind::Contact => {
            let collection = if kind == ItemKind::Event {
                "events"
            } else {
                "contacts"
            };
            let url = format!(
                "/me/{collection}?$filter={}&$expand={}",
                url_encode(&key::key_filter(key)),
                url_encode(&key::tag_expand())
            );
            let (items, _) = graph.collect_pages(&url).await?;
            items.iter().filter_map(|i| remote_item(i, None)).collect()
        }
    };
    Ok(items
        .into_iter()
        .filter(|i| i.key.as_ref() == Some(key))
        .map(|i| i.id)
        .collect())
}

/// For creates retried after an unanswered attempt (tasks and contacts have
/// no idempotency key), find an item that already carries the key's tag.
pub(super) async fn adopt_unconfirmed<T: TokenSource>(
    graph: &GraphClient<T>,
    plan: &Plan,
    list_id: Option<&str>,
) -> Result<HashMap<SourceKey, (String, Option<String>)>, AppError> {
    let retries: Vec<_> = plan
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::Create(c) if c.reason == CreateReason::Retry && c.kind != ItemKind::Event => {
                Some(c)
            }
            _ => None,
        })
        .collect();
    let mut found = HashMap::new();
    if retries.is_empty() {
        return Ok(found);
    }
    if retries.iter().any(|c| c.kind == ItemKind::Task) {
        if let Listing::Full { items, .. } = full_listing(graph, ItemKind::Task, list_id).await? {
            for item in items {
                if let Some(k) = item.key {
                    found.insert(k, (item.id, item.version));
                }
            }
        }
    }
    for c in retries.iter().filter(|c| c.kind == ItemKind::Contact) {
        let url = format!(
            "/me/contacts?$filter={}&$expand={}",
            url_encode(&key::key_filter(&c.key)),
            url_encode(&key::tag_expand())
        );
        let (items, _) = graph.collect_pages(&url).await?;
        if let Some(item) = items
            .iter()
            .find(|i| key::key_of(i).as_ref() == Some(&c.key))
        {
            if let Some(id) = item["id"].as_str() {
                found.insert(c.key.clone(), (id.to_string(), version_of(item)));
            }
        }
    }
    found.retain(|k, _| retries.iter().any(|c| &c.key == k));
    Ok(found)
}

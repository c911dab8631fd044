//! Reading Microsoft 365: the owned To Do list, delta pages and full
//! listings of our tagged items (read into the planner's `Listing`s by
//! `docket_export::delta`), and the URLs of single items.

use docket_export::delta::remote_item;
pub(super) use docket_export::delta::{delta_listing, version_of};
use docket_export::{key, ItemKind, Listing};
use docket_graph::{Error as GraphError, GraphClient, Request, TokenSource};
use serde_json::json;

use super::store::ExportStore;
use super::TASK_LIST_NAME;
use crate::AppError;

/// Also a stored or returned link that is not on the Graph origin: the
/// client drops it unsent (the token goes to Graph only), and it is read
/// in full like an expired token, never as "everything was deleted".
pub(super) fn delta_expired(e: &GraphError) -> bool {
    matches!(e, GraphError::ForeignLink { .. })
        || e.status() == Some(410)
        || matches!(
            e.code(),
            Some(c) if c.eq_ignore_ascii_case("syncStateNotFound")
                || c.eq_ignore_ascii_case("resyncRequired")
        )
}

/// The owned To Do list: remembered, else found by name, else created.
pub(super) async fn task_list<T: TokenSource>(
    graph: &GraphClient<T>,
    store: &ExportStore<'_>,
    dry_run: bool,
) -> Result<String, AppError> {
    if let Some(id) = store.meta("todo.list")? {
        return Ok(id);
    }
    let (lists, _) = graph.collect_pages("/me/todo/lists").await?;
    if let Some(id) = lists
        .iter()
        .find(|l| l["displayName"].as_str() == Some(TASK_LIST_NAME))
        .and_then(|l| l["id"].as_str())
    {
        store.set_meta("todo.list", id)?;
        return Ok(id.to_string());
    }
    if dry_run {
        // The list is created by the first real run.
        return Ok(String::new());
    }
    let created = graph
        .send(&Request::post(
            "/me/todo/lists",
            json!({ "displayName": TASK_LIST_NAME }),
        ))
        .await?;
    let id = created.body["id"]
        .as_str()
        .ok_or(AppError::Export(crate::ExportFailure::TaskListWithoutId))?
        .to_string();
    store.set_meta("todo.list", &id)?;
    Ok(id)
}

/// Every item of `kind` carrying our tag.
pub(super) async fn full_listing<T: TokenSource>(
    graph: &GraphClient<T>,
    kind: ItemKind,
    list_id: Option<&str>,
) -> Result<Listing, AppError> {
    // The largest page Outlook lists serve: a lost state database over
    // 10,000 items costs 10 pages per collection, not 100.
    const PAGE: usize = docket_graph::PAGE_SIZE;
    let filter = url_encode(&key::owned_filter());
    let expand = url_encode(&key::tag_expand());
    let (url, container) = match kind {
        ItemKind::Event => (
            format!("/me/events?$filter={filter}&$expand={expand}&$top={PAGE}"),
            None,
        ),
        ItemKind::Contact => (
            format!("/me/contacts?$filter={filter}&$expand={expand}&$top={PAGE}"),
            None,
        ),
        ItemKind::Task => (
            format!(
                "/me/todo/lists/{}/tasks?$expand={}&$top={PAGE}",
                list_id.unwrap_or_default(),
                key::TASK_EXPAND
            ),
            list_id,
        ),
    };
    if kind == ItemKind::Task && list_id.is_none_or(str::is_empty) {
        return Ok(Listing::Full {
            items: vec![],
            complete: true,
        });
    }
    let (items, _) = graph.collect_pages(&url).await?;
    Ok(Listing::Full {
        items: items
            .iter()
            .filter_map(|i| remote_item(i, container))
            .filter(|r| r.key.is_some())
            .collect(),
        complete: true,
    })
}

pub(super) fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub(super) fn item_url(
    kind: ItemKind,
    id: &str,
    container: Option<&str>,
    list_id: Option<&str>,
) -> String {
    match kind {
        ItemKind::Event => format!("/me/events/{id}"),
        ItemKind::Contact => format!("/me/contacts/{id}"),
        ItemKind::Task => format!(
            "/me/todo/lists/{}/tasks/{id}",
            container.or(list_id).unwrap_or_default()
        ),
    }
}

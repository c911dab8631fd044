//! The emulator's Microsoft Graph resources, tested over HTTP as a client
//! sees them. Each test follows Microsoft's documentation of the behaviour
//! (see docs/emulator-graph.md for the source of each).

use m365_emulator::{world, TestServer};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";
const PROP: &str = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name DocketSyncId";

struct T {
    server: TestServer,
    http: Client,
    token: String,
}

impl T {
    async fn start() -> T {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let server = TestServer::start(Default::default()).await;
        let token = server.shared.test_token(ANNA);
        T {
            server,
            http: Client::new(),
            token,
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}/v1.0{path}", self.server.base_url)
        }
    }

    /// Send a Graph request; returns status, headers and JSON body (Null if none).
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, headers, json)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, _, b) = self.send(Method::GET, path, None, &[]).await;
        (s, b)
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, _, b) = self.send(Method::POST, path, Some(body), &[]).await;
        (s, b)
    }
}

fn event(subject: &str, start: &str, end: &str) -> Value {
    json!({
        "subject": subject,
        "start": {"dateTime": start, "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": end, "timeZone": "W. Europe Standard Time"},
    })
}

fn ids(v: &Value) -> Vec<String> {
    v["value"]
        .as_array()
        .expect("value array")
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401_and_missing_scope_403() {
    let t = T::start().await;
    let resp = t.http.get(t.url("/me")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");

    let resp = t
        .http
        .get(t.url("/me"))
        .bearer_auth("not.a.jwt")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // A token with only User.Read may read the profile but not the calendar.
    let (tenant, user) = {
        let w = t.server.shared.world();
        let (tn, u) = w.user(ANNA).unwrap();
        (tn.clone(), u.clone())
    };
    let (narrow, _) = t.server.shared.issue_access_token(
        &tenant,
        &user,
        &world::demo::PUBLIC_CLIENT_ID.to_string(),
        &["User.Read".to_string()],
        3600,
    );
    let me = t
        .http
        .get(t.url("/me"))
        .bearer_auth(&narrow)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let resp = t
        .http
        .get(t.url("/me/events"))
        .bearer_auth(&narrow)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ErrorAccessDenied");
    assert_eq!(
        body["error"]["message"],
        "Access is denied. Check credentials and try again."
    );

    // Expired on the emulator clock.
    t.server.shared.world().clock.offset_seconds += 3700;
    let (s, b) = t.get("/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(b["error"]["code"], "InvalidAuthenticationToken");
}

#[tokio::test]
async fn me_returns_the_signed_in_user() {
    let t = T::start().await;
    let (s, me) = t.get("/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["userPrincipalName"], ANNA);
    assert_eq!(me["displayName"], "Anna Berger");
    assert_eq!(me["givenName"], "Anna");
    assert_eq!(me["surname"], "Berger");
    assert_eq!(me["preferredLanguage"], "de-DE");
    assert!(me["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#users/$entity"));
}

#[tokio::test]
async fn event_crud_with_etags_and_change_keys() {
    let t = T::start().await;
    let (s, created) = t
        .post(
            "/me/events",
            event("Frist", "2024-06-06T09:00:00", "2024-06-06T10:00:00"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = created["id"].as_str().unwrap().to_string();
    let key1 = created["changeKey"].as_str().unwrap().to_string();
    assert_eq!(created["@odata.etag"], format!("W/\"{key1}\""));
    assert_eq!(created["type"], "singleInstance");
    assert_eq!(created["originalStartTimeZone"], "W. Europe Standard Time");
    // Read back in UTC by default.
    assert_eq!(
        created["start"],
        json!({"dateTime": "2024-06-06T07:00:00.0000000", "timeZone": "UTC"})
    );
    assert!(created["createdDateTime"].is_string() && created["lastModifiedDateTime"].is_string());

    let (s, got) = t.get(&format!("/me/calendar/events/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["subject"], "Frist");

    // Stale If-Match → 412, nothing changed.
    let (s, _, b) = t
        .send(
            Method::PATCH,
            &format!("/me/events/{id}"),
            Some(json!({"subject": "x"})),
            &[("If-Match", "W/\"stale\"")],
        )
        .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    assert_eq!(b["error"]["code"], "ErrorIrresolvableConflict");

    let etag = format!("W/\"{key1}\"");
    let (s, _, patched) = t
        .send(
            Method::PATCH,
            &format!("/me/events/{id}"),
            Some(json!({"subject": "Frist verlängert", "sensitivity": "private", "categories": ["Kanzlei"]})),
            &[("If-Match", etag.as_str())],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(patched["subject"], "Frist verlängert");
    assert_eq!(patched["sensitivity"], "private");
    assert_ne!(patched["changeKey"], key1.as_str());

    // The old etag no longer matches for DELETE either.
    let (s, _, _) = t
        .send(
            Method::DELETE,
            &format!("/me/events/{id}"),
            None,
            &[("If-Match", etag.as_str())],
        )
        .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    let (s, _, _) = t
        .send(Method::DELETE, &format!("/me/events/{id}"), None, &[])
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = t.get(&format!("/me/events/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["error"]["code"], "ErrorItemNotFound");
}

#[tokio::test]
async fn a_repeated_create_with_the_same_transaction_id_returns_the_same_event() {
    let t = T::start().await;
    let mut body = event("Termin", "2024-06-07T09:00:00", "2024-06-07T10:00:00");
    body["transactionId"] = json!("docket-1-gen-0");
    let (s1, a) = t.post("/me/events", body.clone()).await;
    let (s2, b) = t.post("/me/events", body).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["transactionId"], "docket-1-gen-0");
    let (_, list) = t.get("/me/events").await;
    assert_eq!(ids(&list).len(), 1);
}

#[tokio::test]
async fn extended_properties_are_filterable_and_returned_only_when_expanded() {
    let t = T::start().await;
    for (n, key) in [("A", "firm/1"), ("B", "firm/2")] {
        let mut body = event(n, "2024-06-07T09:00:00", "2024-06-07T10:00:00");
        body["singleValueExtendedProperties"] = json!([{"id": PROP, "value": key}]);
        assert_eq!(t.post("/me/events", body).await.0, StatusCode::CREATED);
    }
    assert_eq!(
        t.post(
            "/me/events",
            event("C", "2024-06-07T09:00:00", "2024-06-07T10:00:00")
        )
        .await
        .0,
        StatusCode::CREATED
    );

    let (_, all) = t.get("/me/events").await;
    assert!(all["value"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e.get("singleValueExtendedProperties").is_none()));

    let filter = format!(
        "singleValueExtendedProperties/Any(ep: ep/id eq '{PROP}' and ep/value eq 'FIRM/2')"
    );
    let expand = format!("singleValueExtendedProperties($filter=id eq '{PROP}')");
    let resp = t
        .http
        .get(t.url("/me/events"))
        .bearer_auth(&t.token)
        .query(&[("$filter", filter.as_str()), ("$expand", expand.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let found: Value = resp.json().await.unwrap();
    let v = found["value"].as_array().unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["subject"], "B");
    assert_eq!(
        v[0]["singleValueExtendedProperties"],
        json!([{"id": PROP, "value": "firm/2"}])
    );

    // The admin view of the mailbox has them too.
    let mb: Value = t
        .http
        .get(format!("{}/_admin/mailboxes/{ANNA}", t.server.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tagged = mb["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["extended"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(tagged, 2);
}

#[tokio::test]
async fn prefer_outlook_timezone_converts_and_unknown_zones_are_rejected() {
    let t = T::start().await;
    let (_, e) = t
        .post(
            "/me/events",
            event("Frist", "2024-06-06T09:00:00", "2024-06-06T10:00:00"),
        )
        .await;
    let id = e["id"].as_str().unwrap();
    let (s, h, got) = t
        .send(
            Method::GET,
            &format!("/me/events/{id}"),
            None,
            &[("Prefer", "outlook.timezone=\"Pacific Standard Time\"")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        got["start"],
        json!({"dateTime": "2024-06-06T00:00:00.0000000", "timeZone": "Pacific Standard Time"})
    );
    assert!(h["preference-applied"]
        .to_str()
        .unwrap()
        .contains("outlook.timezone=\"Pacific Standard Time\""));
    let (_, h, _) = t
        .send(
            Method::GET,
            &format!("/me/events/{id}"),
            None,
            &[("Prefer", "IdType=\"ImmutableId\"")],
        )
        .await;
    assert_eq!(h["preference-applied"], "IdType=\"ImmutableId\"");
    let (_, _, iana) = t
        .send(
            Method::GET,
            &format!("/me/events/{id}"),
            None,
            &[("Prefer", "outlook.timezone=\"Europe/London\"")],
        )
        .await;
    assert_eq!(iana["start"]["dateTime"], "2024-06-06T08:00:00.0000000");

    let (s, _, b) = t
        .send(
            Method::GET,
            &format!("/me/events/{id}"),
            None,
            &[("Prefer", "outlook.timezone=\"Mars Standard Time\"")],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["code"], "TimeZoneNotSupportedException");

    let mut bad = event("x", "2024-06-06T09:00:00", "2024-06-06T10:00:00");
    bad["start"]["timeZone"] = json!("Nowhere/Atlantis");
    let (s, b) = t.post("/me/events", bad).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["code"], "TimeZoneNotSupportedException");

    // All-day events need midnight start and end in one zone.
    let mut all_day = event("Urlaub", "2024-06-06T09:00:00", "2024-06-07T00:00:00");
    all_day["isAllDay"] = json!(true);
    assert_eq!(
        t.post("/me/events", all_day.clone()).await.0,
        StatusCode::BAD_REQUEST
    );
    all_day["start"]["dateTime"] = json!("2024-06-06T00:00:00");
    let (s, ok) = t.post("/me/events", all_day).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(ok["start"]["dateTime"], "2024-06-06T00:00:00.0000000");
    assert_eq!(ok["end"]["dateTime"], "2024-06-07T00:00:00.0000000");
}

#[tokio::test]
async fn lists_page_with_top_and_next_link() {
    let t = T::start().await;
    for i in 0..5 {
        t.post(
            "/me/events",
            event(
                &format!("E{i}"),
                "2024-06-06T09:00:00",
                "2024-06-06T10:00:00",
            ),
        )
        .await;
    }
    let mut url = "/me/events?$top=2&$select=subject".to_string();
    let mut seen = vec![];
    loop {
        let (s, page) = t.get(&url).await;
        assert_eq!(s, StatusCode::OK);
        for e in page["value"].as_array().unwrap() {
            assert!(e.get("start").is_none(), "$select limits properties");
            seen.push(e["subject"].as_str().unwrap().to_string());
        }
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ["E0", "E1", "E2", "E3", "E4"]);
    let (_, desc) = t.get("/me/events?$orderby=subject desc&$top=1").await;
    assert_eq!(desc["value"][0]["subject"], "E4");
}

/// Follow a delta round to its deltaLink; returns (all items, deltaLink, pages).
async fn delta_round(t: &T, first: &str, page: usize) -> (Vec<Value>, String, usize) {
    let prefer = format!("odata.maxpagesize={page}");
    let mut url = first.to_string();
    let mut items = vec![];
    let mut pages = 0;
    loop {
        let (s, _, body) = t
            .send(Method::GET, &url, None, &[("Prefer", prefer.as_str())])
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        pages += 1;
        items.extend(body["value"].as_array().unwrap().iter().cloned());
        if let Some(next) = body["@odata.nextLink"].as_str() {
            assert!(next.contains("$skiptoken="));
            url = next.to_string();
        } else {
            let delta = body["@odata.deltaLink"]
                .as_str()
                .expect("deltaLink on the last page");
            assert!(delta.contains("$deltatoken="));
            return (items, delta.to_string(), pages);
        }
    }
}

#[tokio::test]
async fn calendar_view_delta_pages_then_reports_changes_and_removals() {
    let t = T::start().await;
    let mut made = vec![];
    for i in 0..3 {
        let (_, e) = t
            .post(
                "/me/events",
                event(
                    &format!("E{i}"),
                    "2024-06-10T09:00:00",
                    "2024-06-10T10:00:00",
                ),
            )
            .await;
        made.push(e["id"].as_str().unwrap().to_string());
    }
    // Outside the window: never reported.
    t.post(
        "/me/events",
        event("later", "2024-08-10T09:00:00", "2024-08-10T10:00:00"),
    )
    .await;
    let first = "/me/calendarView/delta?startDateTime=2024-06-01T00:00:00Z&endDateTime=2024-07-01T00:00:00Z";
    let (items, delta_link, pages) = delta_round(&t, first, 2).await;
    assert_eq!(pages, 2);
    let mut got: Vec<String> = items
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    let mut want = made.clone();
    want.sort();
    assert_eq!(got, want);

    // Nothing changed: an empty round.
    let (items, delta_link, _) = delta_round(&t, &delta_link, 2).await;
    assert!(items.is_empty());

    // The user edits one event in Outlook and deletes another through Graph.
    let resp = t
        .http
        .patch(format!(
            "{}/_admin/mailboxes/{ANNA}/items/event/{}",
            t.server.base_url, made[0]
        ))
        .json(&json!({"subject": "moved by Anna"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    t.send(
        Method::DELETE,
        &format!("/me/events/{}", made[1]),
        None,
        &[],
    )
    .await;
    let (items, _, _) = delta_round(&t, &delta_link, 10).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let changed = items.iter().find(|e| e["id"] == made[0].as_str()).unwrap();
    assert_eq!(changed["subject"], "moved by Anna");
    let gone = items.iter().find(|e| e["id"] == made[1].as_str()).unwrap();
    assert_eq!(
        *gone,
        json!({"@odata.type": "#microsoft.graph.event", "id": made[1], "@removed": {"reason": "deleted"}})
    );
}

#[tokio::test]
async fn expired_delta_tokens_answer_410_sync_state_not_found() {
    let t = T::start().await;
    t.post(
        "/me/contacts",
        json!({"givenName": "Max", "surname": "Muster"}),
    )
    .await;
    let (_, delta_link, _) = delta_round(&t, "/me/contacts/delta", 10).await;
    let resp = t
        .http
        .post(format!(
            "{}/_admin/mailboxes/{ANNA}/delta-tokens/expire",
            t.server.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (s, b) = t.get(&delta_link).await;
    assert_eq!(s, StatusCode::GONE);
    assert_eq!(b["error"]["code"], "SyncStateNotFound");
    // A fresh round works and lists everything again.
    let (items, _, _) = delta_round(&t, "/me/contacts/delta", 10).await;
    assert_eq!(items.len(), 1);
}

#[tokio::test]
async fn recurring_series_expand_into_occurrences_in_calendar_view() {
    let t = T::start().await;
    let mut body = event("Jour fixe", "2024-06-03T09:00:00", "2024-06-03T09:30:00");
    body["recurrence"] = json!({
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "monday"},
        "range": {"type": "numbered", "startDate": "2024-06-03", "numberOfOccurrences": 4}
    });
    let (s, master) = t.post("/me/events", body).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(master["type"], "seriesMaster");
    let (s, view) = t
        .get("/me/calendarView?startDateTime=2024-06-01T00:00:00Z&endDateTime=2024-06-20T00:00:00Z")
        .await;
    assert_eq!(s, StatusCode::OK);
    let v = view["value"].as_array().unwrap();
    assert_eq!(v.len(), 3);
    assert!(v
        .iter()
        .all(|o| o["type"] == "occurrence" && o["seriesMasterId"] == master["id"]));
    assert_eq!(v[1]["start"]["dateTime"], "2024-06-10T07:00:00.0000000");
    let (s, b) = t.get("/me/calendarView").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["code"], "ErrorInvalidParameter");
}

#[tokio::test]
async fn todo_lists_tasks_linked_resources_and_extensions() {
    let t = T::start().await;
    let (s, lists) = t.get("/me/todo/lists").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(lists["value"][0]["wellknownListName"], "defaultList");
    let (s, list) = t
        .post("/me/todo/lists", json!({"displayName": "Kanzlei"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let lid = list["id"].as_str().unwrap();
    let tasks = format!("/me/todo/lists/{lid}/tasks");

    let (s, task) = t
        .post(
            &tasks,
            json!({
                "title": "Klageerwiderung",
                "importance": "high",
                "dueDateTime": {"dateTime": "2024-06-20T17:00:00", "timeZone": "W. Europe Standard Time"},
                "linkedResources": [{"webUrl": "https://pms.example/akte/1", "applicationName": "Docket", "displayName": "Akte 1", "externalId": "firm/1"}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{task}");
    let tid = task["id"].as_str().unwrap().to_string();
    assert_eq!(
        task["dueDateTime"]["dateTime"],
        "2024-06-20T00:00:00.0000000"
    );
    assert_eq!(task["linkedResources"][0]["externalId"], "firm/1");
    assert!(task.get("changeKey").is_none());

    // linkedResources CRUD.
    let lr = format!("{tasks}/{tid}/linkedResources");
    let (s, added) = t
        .post(
            &lr,
            json!({"applicationName": "Docket", "displayName": "Frist", "externalId": "firm/2"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let rid = added["id"].as_str().unwrap();
    let (_, all) = t.get(&lr).await;
    assert_eq!(all["value"].as_array().unwrap().len(), 2);
    let (s, _, _) = t
        .send(Method::DELETE, &format!("{lr}/{rid}"), None, &[])
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, all) = t.get(&lr).await;
    assert_eq!(all["value"].as_array().unwrap().len(), 1);

    // Open extension, then $expand=extensions.
    let (s, ext) = t
        .post(
            &format!("{tasks}/{tid}/extensions"),
            json!({"@odata.type": "microsoft.graph.openTypeExtension", "extensionName": "org.docketsync.item", "key": "firm/1"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(ext["extensionName"], "org.docketsync.item");
    let (_, with_ext) = t.get(&format!("{tasks}/{tid}?$expand=extensions")).await;
    assert_eq!(with_ext["extensions"][0]["key"], "firm/1");

    // To Do tasks have no extended properties, in a body or in $expand.
    let (s, b) = t
        .post(
            &tasks,
            json!({"title": "x", "singleValueExtendedProperties": [{"id": PROP, "value": "v"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["code"], "RequestBodyRead");
    let (s, _) = t
        .get(&format!("{tasks}?$expand=singleValueExtendedProperties"))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // PATCH status completed sets completedDateTime; DELETE removes.
    let (s, _, done) = t
        .send(
            Method::PATCH,
            &format!("{tasks}/{tid}"),
            Some(json!({"status": "completed"})),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(done["completedDateTime"]["dateTime"].is_string());

    // Tasks delta reports the deletion.
    let (_, delta_link, _) = delta_round(&t, &format!("{tasks}/delta"), 10).await;
    let (s, _, _) = t
        .send(Method::DELETE, &format!("{tasks}/{tid}"), None, &[])
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (items, _, _) = delta_round(&t, &delta_link, 10).await;
    assert_eq!(
        items,
        vec![
            json!({"@odata.type": "#microsoft.graph.todoTask", "id": tid, "@removed": {"reason": "deleted"}})
        ]
    );
    let (s, _) = t.get(&format!("{tasks}/{tid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn contacts_and_contact_folders_crud_and_limits() {
    let t = T::start().await;
    let (s, c) = t
        .post(
            "/me/contacts",
            json!({
                "givenName": "Max", "surname": "Muster", "companyName": "Muster GmbH",
                "emailAddresses": [{"address": "max@muster.example", "name": "Max Muster"}],
                "businessPhones": ["+49 30 1234"],
                "businessAddress": {"street": "Hauptstr. 1", "city": "Berlin", "postalCode": "10115", "countryOrRegion": "DE"},
                "singleValueExtendedProperties": [{"id": PROP, "value": "firm/c1"}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["displayName"], "Max Muster");
    let cid = c["id"].as_str().unwrap();
    let (s, _, p) = t
        .send(
            Method::PATCH,
            &format!("/me/contacts/{cid}"),
            Some(json!({"jobTitle": "Geschäftsführer"})),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["jobTitle"], "Geschäftsführer");
    assert_ne!(p["changeKey"], c["changeKey"]);

    let four: Vec<Value> = (0..4)
        .map(|i| json!({"address": format!("a{i}@x.example")}))
        .collect();
    let (s, _) = t
        .post(
            "/me/contacts",
            json!({"givenName": "Too", "emailAddresses": four}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let (s, folder) = t
        .post("/me/contactFolders", json!({"displayName": "Mandanten"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let fid = folder["id"].as_str().unwrap();
    let (s, fc) = t
        .post(
            &format!("/me/contactFolders/{fid}/contacts"),
            json!({"givenName": "Erika"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(fc["parentFolderId"], fid);
    let (_, in_folder) = t.get(&format!("/me/contactFolders/{fid}/contacts")).await;
    assert_eq!(
        ids(&in_folder),
        vec![fc["id"].as_str().unwrap().to_string()]
    );
    let (items, _, _) =
        delta_round(&t, &format!("/me/contactFolders/{fid}/contacts/delta"), 10).await;
    assert_eq!(items.len(), 1);
    let (_, default) = t.get("/me/contacts").await;
    assert_eq!(ids(&default), vec![cid.to_string()]);
    let (s, _, _) = t
        .send(Method::DELETE, &format!("/me/contacts/{cid}"), None, &[])
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

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

/// <https://learn.microsoft.com/en-us/graph/api/user-list-calendarview>:
/// "Prefer: outlook.timezone … the time zone for start and end times in
/// the response. If not specified, those time values are returned in UTC."
#[tokio::test]
async fn calendar_view_returns_times_in_the_prefer_outlook_timezone_else_utc() {
    let t = T::start().await;
    // 09:00–10:00 in Berlin in June (CEST, UTC+2) = 07:00–08:00 UTC.
    t.post(
        "/me/events",
        event("Termin", "2024-06-10T09:00:00", "2024-06-10T10:00:00"),
    )
    .await;
    let view =
        "/me/calendarView?startDateTime=2024-06-01T00:00:00Z&endDateTime=2024-07-01T00:00:00Z";

    let (s, h, utc) = t.send(Method::GET, view, None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        utc["value"][0]["start"],
        json!({"dateTime": "2024-06-10T07:00:00.0000000", "timeZone": "UTC"})
    );
    assert!(h
        .get("preference-applied")
        .is_none_or(|v| !v.to_str().unwrap().contains("outlook.timezone")));

    for (zone, start, end) in [
        (
            "Eastern Standard Time",
            "2024-06-10T03:00:00.0000000",
            "2024-06-10T04:00:00.0000000",
        ),
        (
            "Asia/Tokyo",
            "2024-06-10T16:00:00.0000000",
            "2024-06-10T17:00:00.0000000",
        ),
    ] {
        let prefer = format!("outlook.timezone=\"{zone}\"");
        let (s, h, local) = t
            .send(Method::GET, view, None, &[("Prefer", &prefer)])
            .await;
        assert_eq!(s, StatusCode::OK, "{local}");
        assert_eq!(
            local["value"][0]["start"],
            json!({"dateTime": start, "timeZone": zone})
        );
        assert_eq!(
            local["value"][0]["end"],
            json!({"dateTime": end, "timeZone": zone})
        );
        assert!(h["preference-applied"].to_str().unwrap().contains(&prefer));
    }

    // The same preference on calendarView/delta pages.
    let (s, _, delta) = t
        .send(
            Method::GET,
            "/me/calendarView/delta?startDateTime=2024-06-01T00:00:00Z&endDateTime=2024-07-01T00:00:00Z",
            None,
            &[("Prefer", "outlook.timezone=\"Eastern Standard Time\"")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        delta["value"][0]["start"]["dateTime"],
        "2024-06-10T03:00:00.0000000"
    );
}

/// <https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-get>:
/// `GET /me/contacts?$filter=singleValueExtendedProperties/Any(ep: ep/id eq
/// '{id}' and ep/value eq '{value}')`, and `$expand` to read the value.
#[tokio::test]
async fn contacts_are_found_by_an_extended_property_filter_and_expand_returns_it() {
    let t = T::start().await;
    for (given, key) in [("Max", "firm/c1"), ("Erika", "firm/c2")] {
        let (s, _) = t
            .post(
                "/me/contacts",
                json!({"givenName": given, "singleValueExtendedProperties": [{"id": PROP, "value": key}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    t.post("/me/contacts", json!({"givenName": "Untagged"}))
        .await;

    let filter = format!(
        "singleValueExtendedProperties/Any(ep: ep/id eq '{PROP}' and ep/value eq 'firm/c2')"
    );
    let expand = format!("singleValueExtendedProperties($filter=id eq '{PROP}')");
    let get = |q: Vec<(&'static str, String)>| {
        t.http
            .get(t.url("/me/contacts"))
            .bearer_auth(&t.token)
            .query(&q)
            .send()
    };
    let found: Value = get(vec![("$filter", filter.clone()), ("$expand", expand)])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let v = found["value"].as_array().unwrap();
    assert_eq!(v.len(), 1, "{found}");
    assert_eq!(v[0]["givenName"], "Erika");
    assert_eq!(
        v[0]["singleValueExtendedProperties"],
        json!([{"id": PROP, "value": "firm/c2"}])
    );

    // Without $expand the match is returned without the property.
    let plain: Value = get(vec![("$filter", filter)])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(plain["value"][0]["givenName"], "Erika");
    assert!(plain["value"][0]
        .get("singleValueExtendedProperties")
        .is_none());

    // "ne" finds the other tagged contact only (an untagged contact has no
    // property to compare).
    let ne = format!(
        "singleValueExtendedProperties/Any(ep: ep/id eq '{PROP}' and ep/value ne 'firm/c2')"
    );
    let other: Value = get(vec![("$filter", ne)])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = other["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["givenName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Max"]);
}

/// <https://learn.microsoft.com/en-us/graph/api/contact-delta>: pages of
/// `Prefer: odata.maxpagesize`, then a deltaLink that reports only changes,
/// deletions as `@removed`.
#[tokio::test]
async fn contacts_delta_pages_then_reports_edits_and_removals() {
    let t = T::start().await;
    let mut made = vec![];
    for i in 0..5 {
        let (_, c) = t
            .post(
                "/me/contacts",
                json!({"givenName": format!("C{i}"), "surname": "Muster"}),
            )
            .await;
        made.push(c["id"].as_str().unwrap().to_string());
    }
    let (items, delta_link, pages) = delta_round(&t, "/me/contacts/delta", 2).await;
    assert_eq!(pages, 3);
    let mut got: Vec<String> = items
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    let mut want = made.clone();
    want.sort();
    assert_eq!(got, want, "every contact exactly once");
    assert!(items.iter().all(|c| c["surname"] == "Muster"));

    let (s, _, _) = t
        .send(
            Method::PATCH,
            &format!("/me/contacts/{}", made[0]),
            Some(json!({"jobTitle": "Partner"})),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let resp = t
        .http
        .delete(format!(
            "{}/_admin/mailboxes/{ANNA}/items/contact/{}",
            t.server.base_url, made[1]
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);

    let (items, _, _) = delta_round(&t, &delta_link, 2).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let edited = items.iter().find(|c| c["id"] == made[0].as_str()).unwrap();
    assert_eq!(edited["jobTitle"], "Partner");
    let gone = items.iter().find(|c| c["id"] == made[1].as_str()).unwrap();
    assert_eq!(
        *gone,
        json!({"@odata.type": "#microsoft.graph.contact", "id": made[1], "@removed": {"reason": "deleted"}})
    );
}

/// contacts/delta pages hold at most 200 contacts, also when a larger
/// `odata.maxpagesize` is asked for (Microsoft Q&A,
/// <https://learn.microsoft.com/en-us/answers/a/2052165>); events page as
/// asked, up to 1,000.
#[tokio::test]
async fn contacts_delta_pages_are_capped_at_200() {
    let t = T::start().await;
    for i in 0..201 {
        let (s, _) = t
            .post(
                "/me/contacts",
                json!({"givenName": format!("C{i}"), "surname": "Muster"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (items, _, pages) = delta_round(&t, "/me/contacts/delta", 1000).await;
    assert_eq!((items.len(), pages), (201, 2));
}

/// <https://learn.microsoft.com/en-us/graph/api/todotask-delta>: paging,
/// then changes since the deltaLink, a deleted task as `@removed`.
#[tokio::test]
async fn todo_tasks_delta_pages_then_reports_edits_and_removals() {
    let t = T::start().await;
    let (_, lists) = t.get("/me/todo/lists").await;
    let lid = lists["value"][0]["id"].as_str().unwrap().to_string();
    let tasks = format!("/me/todo/lists/{lid}/tasks");
    let mut made = vec![];
    for i in 0..3 {
        let (s, task) = t.post(&tasks, json!({"title": format!("T{i}")})).await;
        assert_eq!(s, StatusCode::CREATED);
        made.push(task["id"].as_str().unwrap().to_string());
    }
    let (items, delta_link, pages) = delta_round(&t, &format!("{tasks}/delta"), 2).await;
    assert_eq!(pages, 2);
    assert_eq!(items.len(), 3);

    let resp = t
        .http
        .patch(format!(
            "{}/_admin/mailboxes/{ANNA}/items/task/{}",
            t.server.base_url, made[2]
        ))
        .json(&json!({"status": "completed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "the user ticks it off in To Do"
    );
    let (s, _, _) = t
        .send(Method::DELETE, &format!("{tasks}/{}", made[0]), None, &[])
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    let (items, _, _) = delta_round(&t, &delta_link, 10).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let done = items.iter().find(|i| i["id"] == made[2].as_str()).unwrap();
    assert_eq!(done["status"], "completed");
    let gone = items.iter().find(|i| i["id"] == made[0].as_str()).unwrap();
    assert_eq!(
        *gone,
        json!({"@odata.type": "#microsoft.graph.todoTask", "id": made[0], "@removed": {"reason": "deleted"}})
    );
}

/// <https://learn.microsoft.com/en-us/graph/outlook-immutable-id>: with
/// `Prefer: IdType="ImmutableId"` an item's id does not change over its
/// lifetime; the response says the preference was applied.
#[tokio::test]
async fn with_prefer_immutable_id_an_event_keeps_its_id_through_updates_lists_and_delta() {
    let t = T::start().await;
    let prefer = [("Prefer", "IdType=\"ImmutableId\"")];
    let (s, h, created) = t
        .send(
            Method::POST,
            "/me/events",
            Some(event(
                "Termin",
                "2024-06-10T09:00:00",
                "2024-06-10T10:00:00",
            )),
            &prefer,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(h["preference-applied"]
        .to_str()
        .unwrap()
        .contains("IdType=\"ImmutableId\""));
    let id = created["id"].as_str().unwrap().to_string();
    let (s, _, patched) = t
        .send(
            Method::PATCH,
            &format!("/me/events/{id}"),
            Some(json!({"subject": "verlegt", "start": {"dateTime": "2024-06-11T09:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2024-06-11T10:00:00", "timeZone": "UTC"}})),
            &prefer,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(patched["id"], id.as_str());
    let (_, _, list) = t.send(Method::GET, "/me/events", None, &prefer).await;
    assert_eq!(ids(&list), [id.as_str()]);
    let (_, _, delta) = t
        .send(
            Method::GET,
            "/me/calendarView/delta?startDateTime=2024-06-01T00:00:00Z&endDateTime=2024-07-01T00:00:00Z",
            None,
            &prefer,
        )
        .await;
    assert_eq!(ids(&delta), [id.as_str()]);
    let (s, _, got) = t
        .send(Method::GET, &format!("/me/events/{id}"), None, &prefer)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["subject"], "verlegt");
}

/// The admin API seeds a mailbox as the user would in Outlook and To Do,
/// and reads it back; what it seeds is what Graph then serves.
#[tokio::test]
async fn admin_seeds_a_mailbox_that_graph_serves_and_reads_it_back() {
    let t = T::start().await;
    let admin = format!("{}/_admin/mailboxes/{ANNA}", t.server.base_url);
    let seed = |body: Value| t.http.post(format!("{admin}/items")).json(&body).send();
    let resp = seed(json!({"kind": "event", "props":
        event("Kanzleifeier", "2024-06-14T18:00:00", "2024-06-14T22:00:00")}))
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let ev: Value = resp.json().await.unwrap();
    let resp =
        seed(json!({"kind": "contact", "props": {"givenName": "Erika", "surname": "Mustermann"}}))
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let resp = seed(json!({"kind": "todoList", "props": {"displayName": "Privat"}}))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let list: Value = resp.json().await.unwrap();
    let list_id = list["id"].as_str().unwrap();
    let resp =
        seed(json!({"kind": "task", "parentId": list_id, "props": {"title": "Blumen kaufen"}}))
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);

    let (_, got) = t
        .get(&format!("/me/events/{}", ev["id"].as_str().unwrap()))
        .await;
    assert_eq!(got["subject"], "Kanzleifeier");
    assert_eq!(got["changeKey"], ev["changeKey"]);
    let (_, contacts) = t.get("/me/contacts").await;
    assert_eq!(contacts["value"][0]["displayName"], "Erika Mustermann");
    let (_, tasks) = t.get(&format!("/me/todo/lists/{list_id}/tasks")).await;
    assert_eq!(tasks["value"][0]["title"], "Blumen kaufen");

    // Graph writes show up in the admin read-out.
    t.post("/me/contacts", json!({"givenName": "Max"})).await;
    let mb: Value = t
        .http
        .get(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = mb["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["props"]["givenName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Erika", "Max"]);
    assert_eq!(mb["events"].as_array().unwrap().len(), 1);
    assert!(mb["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["props"]["title"] == "Blumen kaufen" && t["parent_id"] == list_id));

    // An unknown user's mailbox is a 404, not an empty one.
    let resp = t
        .http
        .get(format!(
            "{}/_admin/mailboxes/nobody@kanzlei-demo.onmicrosoft.com",
            t.server.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

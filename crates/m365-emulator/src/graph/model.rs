//! What each resource accepts on create/update and how it is rendered:
//! property lists, enum values and defaults from the resource pages
//! (<https://learn.microsoft.com/en-us/graph/api/resources/event>,
//! <https://learn.microsoft.com/en-us/graph/api/resources/todotask>,
//! <https://learn.microsoft.com/en-us/graph/api/resources/todotasklist>,
//! <https://learn.microsoft.com/en-us/graph/api/resources/contact>,
//! <https://learn.microsoft.com/en-us/graph/api/resources/calendar>,
//! <https://learn.microsoft.com/en-us/graph/api/resources/contactfolder>).

use axum::http::StatusCode;
use chrono::{NaiveTime, Timelike};
use serde_json::{json, Map, Value};

use super::error::GraphError;
use super::recur::Recurrence;
use super::store::Kind;
use super::tz;

/// Properties a client may write, per resource.
fn writable(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Calendar => &["name", "color", "hexColor"],
        Kind::Event => &[
            "subject",
            "body",
            "start",
            "end",
            "isAllDay",
            "location",
            "locations",
            "categories",
            "sensitivity",
            "showAs",
            "importance",
            "isReminderOn",
            "reminderMinutesBeforeStart",
            "recurrence",
            "transactionId",
            "attendees",
            "responseRequested",
            "allowNewTimeProposals",
            "hideAttendees",
            "isOnlineMeeting",
            "onlineMeetingProvider",
            "originalStartTimeZone",
            "originalEndTimeZone",
        ],
        Kind::TodoList => &["displayName"],
        Kind::Task => &[
            "title",
            "body",
            "importance",
            "status",
            "dueDateTime",
            "startDateTime",
            "reminderDateTime",
            "completedDateTime",
            "isReminderOn",
            "categories",
            "recurrence",
        ],
        Kind::ContactFolder => &["displayName"],
        Kind::Contact => &[
            "givenName",
            "middleName",
            "surname",
            "displayName",
            "fileAs",
            "title",
            "generation",
            "initials",
            "nickName",
            "companyName",
            "department",
            "jobTitle",
            "profession",
            "officeLocation",
            "manager",
            "assistantName",
            "emailAddresses",
            "businessPhones",
            "homePhones",
            "mobilePhone",
            "imAddresses",
            "businessAddress",
            "homeAddress",
            "otherAddress",
            "businessHomePage",
            "birthday",
            "personalNotes",
            "categories",
            "children",
            "spouseName",
            "yomiGivenName",
            "yomiSurname",
            "yomiCompanyName",
        ],
    }
}

/// Server-set properties a client may echo back; ignored on write.
const READ_ONLY: &[&str] = &[
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "parentFolderId",
    "type",
    "seriesMasterId",
    "iCalUId",
    "bodyPreview",
    "isOrganizer",
    "isCancelled",
    "webLink",
    "organizer",
    "hasAttachments",
    "isDefaultCalendar",
    "isOwner",
    "isShared",
    "wellknownListName",
    "canEdit",
    "canShare",
    "owner",
];

/// Navigation properties that come in create bodies and are stored apart.
pub const NAVIGATIONS: &[&str] = &[
    "singleValueExtendedProperties",
    "extensions",
    "linkedResources",
];

fn bad_property(kind: Kind, key: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "RequestBodyRead",
        format!(
            "The property '{key}' does not exist on type '{}'. Make sure to only use property names that are defined by the type or mark the type as open type.",
            kind.type_name()
        ),
    )
}

fn bad_literal(v: &Value, ty: &str) -> GraphError {
    let lit = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "RequestBodyRead",
        format!("Cannot convert the literal '{lit}' to the expected type '{ty}'."),
    )
}

pub fn time_zone_not_supported(name: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "TimeZoneNotSupportedException",
        format!("A valid TimeZone value must be specified. The following TimeZone value is not supported: '{name}'."),
    )
}

fn check_enum(v: &Value, allowed: &[&str], ty: &str) -> Result<(), GraphError> {
    match v.as_str() {
        Some(s) if allowed.contains(&s) => Ok(()),
        _ => Err(bad_literal(v, ty)),
    }
}

fn check_string(v: &Value) -> Result<(), GraphError> {
    if v.is_string() || v.is_null() {
        Ok(())
    } else {
        Err(bad_literal(v, "Edm.String"))
    }
}

fn check_bool(v: &Value) -> Result<(), GraphError> {
    if v.is_boolean() {
        Ok(())
    } else {
        Err(bad_literal(v, "Edm.Boolean"))
    }
}

fn check_strings(v: &Value) -> Result<(), GraphError> {
    match v.as_array() {
        Some(a) if a.iter().all(Value::is_string) => Ok(()),
        _ => Err(bad_literal(v, "Collection(Edm.String)")),
    }
}

/// Validate and normalise a `dateTimeTimeZone`.
pub fn normalize_dtz(v: &Value) -> Result<Value, GraphError> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let zone_name = v["timeZone"].as_str().unwrap_or_default();
    tz::resolve(zone_name).ok_or_else(|| time_zone_not_supported(zone_name))?;
    let dt = v["dateTime"].as_str().unwrap_or_default();
    let local =
        tz::parse_local(dt).ok_or_else(|| bad_literal(&v["dateTime"], "Edm.String (dateTime)"))?;
    Ok(json!({"dateTime": tz::format_local(local), "timeZone": zone_name}))
}

fn check_body(v: &Value) -> Result<Value, GraphError> {
    let ct = v.get("contentType").cloned().unwrap_or(json!("text"));
    let lower = ct.as_str().map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("text") | Some("html") => {}
        _ => return Err(bad_literal(&ct, "microsoft.graph.bodyType")),
    }
    Ok(
        json!({"contentType": lower, "content": v.get("content").and_then(Value::as_str).unwrap_or_default()}),
    )
}

/// Check one property value for its type; returns the value to store.
fn check_value(kind: Kind, key: &str, v: &Value) -> Result<Value, GraphError> {
    match (kind, key) {
        (_, "body") => return check_body(v),
        (_, "categories") => check_strings(v)?,
        (
            _,
            "isAllDay"
            | "isReminderOn"
            | "responseRequested"
            | "allowNewTimeProposals"
            | "hideAttendees"
            | "isOnlineMeeting",
        ) => check_bool(v)?,
        (_, "importance") => {
            check_enum(v, &["low", "normal", "high"], "microsoft.graph.importance")?
        }
        (Kind::Event, "sensitivity") => check_enum(
            v,
            &["normal", "personal", "private", "confidential"],
            "microsoft.graph.sensitivity",
        )?,
        (Kind::Event, "showAs") => check_enum(
            v,
            &[
                "free",
                "tentative",
                "busy",
                "oof",
                "workingElsewhere",
                "unknown",
            ],
            "microsoft.graph.freeBusyStatus",
        )?,
        (Kind::Task, "status") => check_enum(
            v,
            &[
                "notStarted",
                "inProgress",
                "completed",
                "waitingOnOthers",
                "deferred",
            ],
            "microsoft.graph.taskStatus",
        )?,
        (Kind::Event, "reminderMinutesBeforeStart") => {
            if !v.is_i64() {
                return Err(bad_literal(v, "Edm.Int32"));
            }
        }
        (_, "start" | "end" | "startDateTime" | "reminderDateTime" | "completedDateTime") => {
            return normalize_dtz(v)
        }
        (Kind::Task, "dueDateTime") => {
            // To Do keeps only the date of a due date: the time comes back
            // as 00:00 (observed; see docs/emulator-graph.md).
            let mut n = normalize_dtz(v)?;
            if let Some(s) = n["dateTime"].as_str() {
                let date = &s[..10];
                n["dateTime"] = json!(format!("{date}T00:00:00.0000000"));
            }
            return Ok(n);
        }
        (_, "recurrence") => {
            if !v.is_null() {
                Recurrence::parse(v).map_err(|m| {
                    GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidRequest", m)
                })?;
            }
        }
        (Kind::Contact, "emailAddresses") => {
            let a = v
                .as_array()
                .ok_or_else(|| bad_literal(v, "Collection(microsoft.graph.emailAddress)"))?;
            if a.len() > 3 {
                return Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "ErrorInvalidArgument",
                    "A contact can have at most 3 email addresses.",
                ));
            }
        }
        (Kind::Contact, "businessPhones") => {
            check_strings(v)?;
            if v.as_array().map_or(0, Vec::len) > 2 {
                return Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "ErrorInvalidArgument",
                    "A contact can have at most 2 business phone numbers.",
                ));
            }
        }
        (Kind::Contact, "homePhones" | "imAddresses" | "children") => check_strings(v)?,
        (_, "location" | "businessAddress" | "homeAddress" | "otherAddress") => {
            if !v.is_object() && !v.is_null() {
                return Err(bad_literal(v, "Edm.ComplexType"));
            }
        }
        (_, "attendees" | "locations") => {
            if !v.is_array() {
                return Err(bad_literal(v, "Collection(Edm.ComplexType)"));
            }
        }
        _ => check_string(v)?,
    }
    Ok(v.clone())
}

/// Apply a create or update body to stored properties. Navigation
/// properties (extended properties, extensions, linked resources) are left
/// for the caller; for types without them they are rejected here.
pub fn apply(
    kind: Kind,
    props: &mut Map<String, Value>,
    body: &Map<String, Value>,
    creating: bool,
) -> Result<(), GraphError> {
    for (key, v) in body {
        if key.starts_with('@') || key.contains("@odata") || READ_ONLY.contains(&key.as_str()) {
            continue;
        }
        if NAVIGATIONS.contains(&key.as_str()) {
            let ok = match key.as_str() {
                "singleValueExtendedProperties" => kind.has_extended_properties(),
                "extensions" => matches!(
                    kind,
                    Kind::Event | Kind::Contact | Kind::Task | Kind::TodoList
                ),
                _ => kind == Kind::Task && creating,
            };
            if !ok {
                return Err(bad_property(kind, key));
            }
            continue;
        }
        if !writable(kind).contains(&key.as_str()) {
            return Err(bad_property(kind, key));
        }
        if key == "transactionId" && !creating {
            // Set on create only; later updates cannot change it.
            continue;
        }
        let value = check_value(kind, key, v)?;
        props.insert(key.clone(), value);
    }
    if kind == Kind::Event {
        check_event(props)?;
    }
    if kind == Kind::Task {
        // Graph sets completedDateTime when a task is completed.
        if props.get("status").and_then(Value::as_str) != Some("completed") {
            props.remove("completedDateTime");
        }
    }
    Ok(())
}

fn invalid_request(msg: &str) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidRequest", msg)
}

/// Whole-event rules: start and end present; all-day events start and end
/// at midnight in one time zone and last whole days.
fn check_event(props: &Map<String, Value>) -> Result<(), GraphError> {
    let (Some(start), Some(end)) = (props.get("start"), props.get("end")) else {
        return Err(invalid_request("The event must have a start and an end."));
    };
    let parse = |v: &Value| {
        v["dateTime"]
            .as_str()
            .and_then(tz::parse_local)
            .zip(v["timeZone"].as_str().and_then(tz::resolve))
    };
    let (Some((s, sz)), Some((e, ez))) = (parse(start), parse(end)) else {
        return Err(invalid_request("The event must have a start and an end."));
    };
    if ez.to_utc(e) < sz.to_utc(s) {
        return Err(invalid_request(
            "The end time of the event must be after its start time.",
        ));
    }
    if props.get("isAllDay") == Some(&Value::Bool(true)) {
        let midnight = NaiveTime::from_hms_opt(0, 0, 0).expect("midnight");
        let same_zone = start["timeZone"].as_str().map(str::to_ascii_lowercase)
            == end["timeZone"].as_str().map(str::to_ascii_lowercase);
        if s.time() != midnight || e.time() != midnight || !same_zone || e.date() <= s.date() {
            return Err(invalid_request(
                "Your request can't be completed. If the event is an all-day event, the start and end must be at midnight (00:00) in the same time zone, and the end must be at least one day after the start.",
            ));
        }
    }
    let _ = s.second();
    Ok(())
}

/// Default values Graph returns for properties never written.
pub fn defaults(kind: Kind) -> Map<String, Value> {
    let v = match kind {
        Kind::Calendar => json!({
            "name": "", "color": "auto", "hexColor": "", "isDefaultCalendar": false,
            "canShare": true, "canViewPrivateItems": true, "canEdit": true,
            "allowedOnlineMeetingProviders": ["teamsForBusiness"],
            "defaultOnlineMeetingProvider": "teamsForBusiness",
            "isTallyingResponses": true, "isRemovable": false,
        }),
        Kind::Event => json!({
            "categories": [], "subject": "", "importance": "normal", "sensitivity": "normal",
            "isAllDay": false, "isCancelled": false, "isOrganizer": true, "responseRequested": true,
            "showAs": "busy", "isReminderOn": true, "reminderMinutesBeforeStart": 15,
            "hasAttachments": false, "isOnlineMeeting": false, "onlineMeetingProvider": "unknown",
            "allowNewTimeProposals": true, "hideAttendees": false, "isDraft": false,
            "body": {"contentType": "html", "content": ""},
            "location": {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"},
            "locations": [], "attendees": [], "recurrence": null,
        }),
        Kind::TodoList => {
            json!({"displayName": "", "isOwner": true, "isShared": false, "wellknownListName": "none"})
        }
        Kind::Task => json!({
            "importance": "normal", "isReminderOn": false, "status": "notStarted", "title": "",
            "categories": [], "hasAttachments": false,
            "body": {"content": "", "contentType": "text"},
        }),
        Kind::ContactFolder => json!({"displayName": ""}),
        Kind::Contact => json!({
            "categories": [], "fileAs": "", "displayName": "", "givenName": null, "initials": null,
            "middleName": null, "nickName": null, "surname": null, "title": null,
            "yomiGivenName": null, "yomiSurname": null, "yomiCompanyName": null, "generation": null,
            "imAddresses": [], "jobTitle": null, "companyName": null, "department": null,
            "officeLocation": null, "profession": null, "businessHomePage": null,
            "assistantName": null, "manager": null, "homePhones": [], "mobilePhone": null,
            "businessPhones": [], "spouseName": null, "personalNotes": "", "children": [],
            "emailAddresses": [], "homeAddress": {}, "businessAddress": {}, "otherAddress": {},
            "birthday": null,
        }),
    };
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Apply `body` to an empty `kind` and expect the stored props or an error code.
    #[track_caller]
    fn check(kind: Kind, body: Value, expect: Result<Value, &str>) {
        let mut props = Map::new();
        let got = apply(kind, &mut props, body.as_object().unwrap(), true)
            .map(|_| Value::Object(props))
            .map_err(|e| e.code);
        assert_eq!(got, expect.map_err(str::to_string));
    }

    #[test]
    fn validates_as_graph_does() {
        let start =
            json!({"dateTime": "2024-06-06T00:00:00", "timeZone": "W. Europe Standard Time"});
        let end = json!({"dateTime": "2024-06-07T00:00:00", "timeZone": "W. Europe Standard Time"});
        check(
            Kind::Event,
            json!({"subject": "Frist", "isAllDay": true, "start": start, "end": end, "id": "ignored"}),
            Ok(json!({
                "subject": "Frist", "isAllDay": true,
                "start": {"dateTime": "2024-06-06T00:00:00.0000000", "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": "2024-06-07T00:00:00.0000000", "timeZone": "W. Europe Standard Time"},
            })),
        );
        let late = json!({"dateTime": "2024-06-06T09:00:00", "timeZone": "UTC"});
        check(
            Kind::Event,
            json!({"isAllDay": true, "start": late, "end": end}),
            Err("ErrorInvalidRequest"),
        );
        check(
            Kind::Event,
            json!({"start": {"dateTime": "2024-06-06T09:00:00", "timeZone": "Mars/Olympus"}, "end": end}),
            Err("TimeZoneNotSupportedException"),
        );
        check(
            Kind::Event,
            json!({"start": start, "end": end, "sensitivity": "secret"}),
            Err("RequestBodyRead"),
        );
        check(
            Kind::Event,
            json!({"start": start, "end": end, "colour": "red"}),
            Err("RequestBodyRead"),
        );
        check(
            Kind::Task,
            json!({"title": "t", "singleValueExtendedProperties": [{"id": "x", "value": "y"}]}),
            Err("RequestBodyRead"),
        );
        check(
            Kind::Task,
            json!({"dueDateTime": {"dateTime": "2024-06-06T17:30:00", "timeZone": "UTC"}}),
            Ok(
                json!({"dueDateTime": {"dateTime": "2024-06-06T00:00:00.0000000", "timeZone": "UTC"}}),
            ),
        );
        check(
            Kind::Contact,
            json!({"emailAddresses": [{"address":"a@x"},{"address":"b@x"},{"address":"c@x"},{"address":"d@x"}]}),
            Err("ErrorInvalidArgument"),
        );
    }
}

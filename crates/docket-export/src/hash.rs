//! Content hash: SHA-256 over canonical JSON (object keys sorted at every
//! level, no whitespace) of the fields we manage. Independent of
//! `serde_json`'s map order, so a feature flag elsewhere in the build cannot
//! change it. An unchanged hash means no request.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Bump when the mapping changes on purpose: every item is then rewritten
/// once with the new mapping. (The `docket-sync/` prefix is the crate's
/// old name, kept: it is part of every stored hash.)
pub const MAPPING_VERSION: &str = "docket-sync/mapping/1";

/// Where canonical JSON goes: a `String` (to look at) or straight into the
/// hasher (no intermediate text: the planner hashes every item every run).
trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for String {
    fn put(&mut self, bytes: &[u8]) {
        self.push_str(std::str::from_utf8(bytes).expect("JSON is UTF-8"));
    }
}

impl Sink for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// A JSON string or scalar, exactly as `serde_json` writes it.
fn scalar(v: &impl serde::Serialize, out: &mut impl Sink, buf: &mut Vec<u8>) {
    buf.clear();
    serde_json::to_writer(&mut *buf, v).expect("scalars serialize");
    out.put(buf);
}

fn object(m: &Map<String, Value>, out: &mut impl Sink, buf: &mut Vec<u8>) {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort_unstable();
    out.put(b"{");
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            out.put(b",");
        }
        scalar(k, out, buf);
        out.put(b":");
        canonical(&m[k], out, buf);
    }
    out.put(b"}");
}

fn canonical(v: &Value, out: &mut impl Sink, buf: &mut Vec<u8>) {
    match v {
        Value::Object(m) => object(m, out, buf),
        Value::Array(a) => {
            out.put(b"[");
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.put(b",");
                }
                canonical(x, out, buf);
            }
            out.put(b"]");
        }
        other => scalar(other, out, buf),
    }
}

/// The canonical text of `v`: object keys sorted at every level, no
/// whitespace.
pub fn canonical_json(v: &Value) -> String {
    let mut s = String::new();
    canonical(v, &mut s, &mut Vec::new());
    s
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

fn hasher() -> Sha256 {
    let mut h = Sha256::new();
    h.update(MAPPING_VERSION.as_bytes());
    h.update([0]);
    h
}

fn finish(h: Sha256) -> String {
    format!("sha256:{}", hex(&h.finalize()))
}

/// `sha256:<hex>` of the mapping version and the canonical JSON of `v`.
pub fn content_hash(v: &Value) -> String {
    let mut h = hasher();
    canonical(v, &mut h, &mut Vec::new());
    finish(h)
}

/// [`content_hash`] of `{"kind": kind, "fields": fields, "categories":
/// categories}`, without building that object.
pub fn item_hash(kind: &str, fields: &Map<String, Value>, categories: &[String]) -> String {
    let mut h = hasher();
    let buf = &mut Vec::new();
    // Keys in canonical (sorted) order: categories, fields, kind.
    h.put(b"{\"categories\":[");
    for (i, c) in categories.iter().enumerate() {
        if i > 0 {
            h.put(b",");
        }
        scalar(c, &mut h, buf);
    }
    h.put(b"],\"fields\":");
    object(fields, &mut h, buf);
    h.put(b",\"kind\":");
    scalar(&kind, &mut h, buf);
    h.put(b"}");
    finish(h)
}

/// Where a record's fingerprint is written: straight into SHA-256.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The fingerprint of one source record as the mapping sees it:
/// `sha256(mapping version, program version, context, record as JSON)`.
/// `context` is everything else the record's mapping depends on (the
/// mailbox zone, `force_private`, `deadlines_to`). An item whose record,
/// context and program are all as when it was last written is as we wrote
/// it: the planner then neither maps nor hashes it. A new release of the
/// program maps every record once again (its mapping may differ even where
/// `MAPPING_VERSION` was not bumped); that costs time, not requests.
pub fn record_fingerprint(context: &str, record: &impl serde::Serialize) -> Option<String> {
    let mut h = hasher();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update([0]);
    h.update(context.as_bytes());
    h.update([0]);
    // A record that does not serialize gets none: it is mapped every run.
    serde_json::to_writer(HashWriter(&mut h), record).ok()?;
    Some(format!("fp:{}", hex(&h.finalize())))
}

/// A deterministic event `transactionId` for creating `key` in creation
/// generation `generation`: a retry of the same create after a crash sends
/// the same id (Graph returns the existing event), a re-create after the
/// user deleted the event (next generation) gets a new one.
pub fn transaction_id(key: &str, generation: u32) -> String {
    let mut h = Sha256::new();
    // The crate's old name, kept: a changed prefix would give a retried
    // create a new `transactionId`, and Graph a second event.
    h.update(b"docket-sync/transaction/1\0");
    h.update(key.as_bytes());
    h.update([0]);
    h.update(generation.to_be_bytes());
    let d = hex(&h.finalize()[..16]);
    // Shaped like a GUID, as Microsoft's samples use.
    format!(
        "{}-{}-{}-{}-{}",
        &d[..8],
        &d[8..12],
        &d[12..16],
        &d[16..20],
        &d[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PINNED: &str = "sha256:0ed2a5c51e07ca5cc182cdfe6115959e060d45c83875566b00da8b43d9405149";

    fn check(a: Value, b: Value, same: bool) {
        assert_eq!(content_hash(&a) == content_hash(&b), same, "{a} vs {b}");
    }

    #[test]
    fn hash_depends_on_content_not_key_order() {
        check(
            json!({"a": 1, "b": [1, 2]}),
            json!({"b": [1, 2], "a": 1}),
            true,
        );
        check(
            json!({"a": {"x": 1, "y": 2}}),
            json!({"a": {"y": 2, "x": 1}}),
            true,
        );
        check(json!({"a": [1, 2]}), json!({"a": [2, 1]}), false);
        check(json!({"a": "x"}), json!({"a": "x "}), false);
        check(json!({"a": null}), json!({}), false);
    }

    /// The hash of what we wrote is stored: the same content must keep the
    /// same hash across versions of this code, or every item would be
    /// rewritten once. Pinned on a value computed by the first version.
    #[test]
    fn hashes_are_stable_and_item_hash_matches_content_hash() {
        let fields = json!({"subject": "Frist \"Huber\" – Berufung", "body": {"contentType": "text", "content": "a\nb"}, "isAllDay": false, "reminderMinutesBeforeStart": 15, "n": null});
        let categories = vec!["Docket Sync".to_string(), "Frist".to_string()];
        let whole = json!({"kind": "event", "fields": fields, "categories": categories});
        let fields = fields.as_object().expect("object");
        assert_eq!(
            item_hash("event", fields, &categories),
            content_hash(&whole)
        );
        assert_eq!(
            canonical_json(&whole),
            r#"{"categories":["Docket Sync","Frist"],"fields":{"body":{"content":"a\nb","contentType":"text"},"isAllDay":false,"n":null,"reminderMinutesBeforeStart":15,"subject":"Frist \"Huber\" – Berufung"},"kind":"event"}"#
        );
        assert_eq!(
            content_hash(&json!({"a": [1, "x"]})),
            PINNED,
            "content hash changed: bump MAPPING_VERSION on purpose instead"
        );
    }

    #[test]
    fn transaction_ids_follow_key_and_generation() {
        let a0 = transaction_id("appointment:a", 0);
        assert_eq!(a0, transaction_id("appointment:a", 0));
        assert_ne!(a0, transaction_id("appointment:a", 1));
        assert_ne!(a0, transaction_id("appointment:b", 0));
        assert_eq!(a0.len(), 36);
    }
}

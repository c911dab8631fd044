//! Content hash: SHA-256 over canonical JSON (object keys sorted at every
//! level, no whitespace) of the fields we manage. Independent of
//! `serde_json`'s map order, so a feature flag elsewhere in the build cannot
//! change it. An unchanged hash means no request.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Bump when the mapping changes on purpose: every item is then rewritten
/// once with the new mapping.
pub const MAPPING_VERSION: &str = "docket-sync/mapping/1";

fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The canonical text of `v`.
pub fn canonical_json(v: &Value) -> String {
    let mut s = String::new();
    canonical(v, &mut s);
    s
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256:<hex>` of the mapping version and the canonical JSON of `v`.
pub fn content_hash(v: &Value) -> String {
    let mut h = Sha256::new();
    h.update(MAPPING_VERSION.as_bytes());
    h.update([0]);
    h.update(canonical_json(v).as_bytes());
    format!("sha256:{}", hex(&h.finalize()))
}

/// A deterministic event `transactionId` for creating `key` in creation
/// generation `generation`: a retry of the same create after a crash sends
/// the same id (Graph returns the existing event), a re-create after the
/// user deleted the event (next generation) gets a new one.
pub fn transaction_id(key: &str, generation: u32) -> String {
    let mut h = Sha256::new();
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

    #[test]
    fn transaction_ids_follow_key_and_generation() {
        let a0 = transaction_id("appointment:a", 0);
        assert_eq!(a0, transaction_id("appointment:a", 0));
        assert_ne!(a0, transaction_id("appointment:a", 1));
        assert_ne!(a0, transaction_id("appointment:b", 0));
        assert_eq!(a0.len(), 36);
    }
}

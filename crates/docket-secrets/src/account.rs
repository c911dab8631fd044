//! Keyring account names derived from an [`EntryKey`].
//!
//! Format: `v1/<kind>/<tenant>/<client_id>/<user>` under the service
//! `DocketSync`, where `<kind>` is [`SecretKind::as_str`] and `<user>` is
//! empty for app-wide secrets. In each part `%`, `/` and `#` are written
//! as `%25`, `%2F` and `%23`, so two different keys never share a name and
//! `#` stays free for the chunk suffixes added by `chunked`.

use crate::EntryKey;

/// The keyring account name (and file-store key) of `key`'s manifest.
pub fn account_name(key: &EntryKey) -> String {
    let mut name = format!("v1/{}", key.kind.as_str());
    for part in [&key.tenant, &key.client_id, &key.user] {
        name.push('/');
        escape_into(&mut name, part);
    }
    name
}

fn escape_into(out: &mut String, part: &str) {
    for c in part.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretKind;

    #[track_caller]
    fn check(key: (&str, &str, &str, SecretKind), expect: &str) {
        let (tenant, client_id, user, kind) = key;
        let key = EntryKey {
            tenant: tenant.into(),
            client_id: client_id.into(),
            user: user.into(),
            kind,
        };
        assert_eq!(account_name(&key), expect);
    }

    #[test]
    fn names() {
        check(
            (
                "contoso.onmicrosoft.com",
                "11111111-2222-3333-4444-555555555555",
                "alice@contoso.example",
                SecretKind::RefreshToken,
            ),
            "v1/refresh-token/contoso.onmicrosoft.com/11111111-2222-3333-4444-555555555555/alice@contoso.example",
        );
        check(
            ("t", "c", "", SecretKind::ClientSecret),
            "v1/client-secret/t/c/",
        );
        check(
            ("t", "c", "u", SecretKind::SourceCredential),
            "v1/source-credential/t/c/u",
        );
        // Separators inside parts are escaped, so these two differ.
        check(
            ("a/b", "c", "d", SecretKind::RefreshToken),
            "v1/refresh-token/a%2Fb/c/d",
        );
        check(
            ("a", "b/c", "d", SecretKind::RefreshToken),
            "v1/refresh-token/a/b%2Fc/d",
        );
        check(
            ("100%", "c#1", "u", SecretKind::RefreshToken),
            "v1/refresh-token/100%25/c%231/u",
        );
    }
}

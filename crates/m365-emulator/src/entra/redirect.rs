//! Redirect URI matching, as the Microsoft identity platform documents it.
//! <https://learn.microsoft.com/en-us/entra/identity-platform/reply-url>
//!
//! - Redirect URIs are case-sensitive and must match a registered one.
//! - "Localhost exceptions" (RFC 8252 §7.3/§8.3): for `localhost` and the
//!   IPv4 loopback literal `127.0.0.1`, the port is ignored when matching,
//!   whatever the platform of the registration (the page warns that the
//!   login server then picks one of several port-only-different
//!   registrations and applies *its* `web`/`native`/`spa` behaviour, so the
//!   exception is not limited to public clients). Scheme, host and path
//!   must still match; `[::1]` is not supported.
//! - A redirect URI without a path is answered with a trailing `/`.
//!
//! Emulator choice (not documented): a loopback URI with no path and one
//! with the path `/` are treated as the same, which is what `url::Url`
//! normalisation gives and what MSAL-style clients rely on.

use url::Url;

/// Hosts the localhost exception applies to.
fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("localhost") | Some("127.0.0.1"))
        && matches!(url.scheme(), "http" | "https")
}

/// Whether `requested` (from an authorize request) matches the registered
/// redirect URI `registered`.
pub fn matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(reg), Ok(req)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    if is_loopback(&reg) && is_loopback(&req) {
        return reg.scheme() == req.scheme()
            && reg.host_str() == req.host_str()
            && reg.path() == req.path()
            && reg.query() == req.query()
            && req.fragment().is_none();
    }
    // Parsed equality: host case and the empty path vs `/` normalised,
    // path and query compared exactly (case-sensitive).
    reg == req && req.fragment().is_none()
}

/// Whether a URI may be registered: `https`, or `http` only for localhost.
/// <https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#supported-schemes>
pub fn registrable(uri: &str) -> Result<(), String> {
    let url = Url::parse(uri).map_err(|e| format!("'{uri}' is not an absolute URI: {e}"))?;
    if uri.len() > 256 {
        return Err(format!("'{uri}' is longer than 256 characters"));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(format!(
            "'{uri}': http is only allowed for localhost redirect URIs"
        )),
        // Custom schemes (msal{client_id}://auth, ...) are registrable for
        // mobile and desktop apps.
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(registered: &str, requested: &str, expect: bool) {
        assert_eq!(
            matches(registered, requested),
            expect,
            "registered {registered:?}, requested {requested:?}"
        );
    }

    #[test]
    fn localhost_ignores_port_only() {
        check("http://localhost", "http://localhost:53124", true);
        check("http://localhost", "http://localhost:53124/", true);
        check(
            "http://localhost/MyApp",
            "http://localhost:1234/MyApp",
            true,
        );
        check(
            "http://localhost:5000/MyApp",
            "http://localhost:8080/MyApp",
            true,
        );
        check("http://127.0.0.1", "http://127.0.0.1:40000/", true);
        check(
            "http://localhost:50993/authorize/",
            "http://localhost:1/authorize/",
            true,
        );
        // Path, case, scheme and host still count.
        check(
            "http://localhost/MyApp",
            "http://localhost:1234/myapp",
            false,
        );
        check(
            "http://localhost/MyWebApp",
            "http://localhost/MyNativeApp",
            false,
        );
        check("http://localhost/MyApp", "https://localhost/MyApp", false);
        check("http://localhost", "http://127.0.0.1:1234", false);
        check("http://[::1]", "http://[::1]:1234", false);
    }

    #[test]
    fn other_hosts_match_exactly() {
        check("https://contoso.com/abc", "https://contoso.com/abc", true);
        check("https://contoso.com", "https://contoso.com/", true);
        check("https://contoso.com/abc", "https://contoso.com/ABC", false);
        check(
            "https://contoso.com/abc",
            "https://contoso.com:8443/abc",
            false,
        );
        check("https://contoso.com/abc", "https://evil.example/abc", false);
        check("https://contoso.com/abc", "not a uri", false);
    }

    #[test]
    fn registration_rules() {
        assert!(registrable("http://localhost").is_ok());
        assert!(registrable("https://contoso.com/cb").is_ok());
        assert!(registrable("http://contoso.com/cb").is_err());
        assert!(registrable("relative/path").is_err());
    }
}

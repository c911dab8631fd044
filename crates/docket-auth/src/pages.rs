//! The small HTML pages the loopback listener shows in the browser, in
//! English and German. No scripts, no external resources, no links.

use crate::problem::Problem;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\">\
<title>{title}</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}}\
h1{{font-size:1.4em}}.de{{color:#555}}code{{background:#eee;padding:0 .3em}}</style>\
</head><body>{body}</body></html>\n"
    )
}

/// Shown only after the code was redeemed and the refresh token stored.
pub fn success(account: &str) -> String {
    let account = escape(account);
    page(
        "Docket Sync: signed in",
        &format!(
            "<h1 id=\"result\" data-result=\"success\">Sign-in complete</h1>\
<p>Docket Sync is signed in as <b>{account}</b>. You can close this window.</p>\
<p class=\"de\" lang=\"de\">Anmeldung abgeschlossen: Docket Sync ist als <b>{account}</b> angemeldet. \
Sie können dieses Fenster schließen.</p>"
        ),
    )
}

/// Shown when the sign-in did not complete.
pub fn failure(problem: &Problem) -> String {
    let aadsts = problem
        .aadsts
        .map(|n| format!(" AADSTS{n}"))
        .unwrap_or_default();
    page(
        "Docket Sync: sign-in failed",
        &format!(
            "<h1 id=\"result\" data-result=\"failure\">Sign-in did not complete</h1>\
<p>{}</p><p><b>What to do:</b> {}</p>\
<div class=\"de\" lang=\"de\"><h1>Anmeldung nicht abgeschlossen</h1><p>{}</p><p><b>Was tun:</b> {}</p></div>\
<p>Code: <code>{}{aadsts}</code></p>",
            escape(problem.message_en),
            escape(problem.fix_en),
            escape(problem.message_de),
            escape(problem.fix_de),
            escape(problem.code),
        ),
    )
}

/// A failure that is not a classified `Problem` (store, account mismatch).
pub fn failure_text(en: &str, de: &str) -> String {
    page(
        "Docket Sync: sign-in failed",
        &format!(
            "<h1 id=\"result\" data-result=\"failure\">Sign-in did not complete</h1><p>{}</p>\
<div class=\"de\" lang=\"de\"><h1>Anmeldung nicht abgeschlossen</h1><p>{}</p></div>",
            escape(en),
            escape(de)
        ),
    )
}

/// The answer to a request that is not this sign-in's callback.
pub fn rejected(reason: &str) -> String {
    page(
        "Docket Sync: not accepted",
        &format!(
            "<h1 id=\"result\" data-result=\"rejected\">Request not accepted</h1><p>{}</p>\
<p>If you are signing in to Docket Sync, finish in the browser tab Docket Sync opened.</p>\
<p class=\"de\" lang=\"de\">Anfrage nicht angenommen. Wenn Sie sich bei Docket Sync anmelden, \
schließen Sie die Anmeldung in dem Browser-Tab ab, den Docket Sync geöffnet hat.</p>",
            escape(reason)
        ),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn account_names_are_escaped() {
        let html = super::success("<script>alert(1)</script>");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }
}

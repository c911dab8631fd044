//! The small HTML pages the loopback listener shows in the browser, in the
//! reader's language ([`Lang`], chosen by the caller; the words are in
//! `docket-text`'s `auth.ftl`). No scripts, no external resources, no
//! links.

use docket_text::{Action, Lang, Message, Texts};

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

fn page(t: &Texts, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\">\
<title>{}</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}}\
h1{{font-size:1.4em}}code{{background:#eee;padding:0 .3em}}</style>\
</head><body>{body}</body></html>\n",
        t.lang().code(),
        escape(&t.word(title)),
    )
}

/// A message's text, escaped (`.body` when `attr` is given).
fn text(t: &Texts, m: &Message, attr: Option<&str>) -> String {
    escape(&match attr {
        None => t.render(m),
        Some(a) => t.attr(m, a).unwrap_or_default(),
    })
}

/// Shown only after the code was redeemed and the refresh token stored.
pub fn success(account: &str, lang: Lang) -> String {
    let t = crate::texts(lang);
    let m = Message::new("auth-page-success").text("account", account);
    page(
        t,
        "auth-page-success-title",
        &format!(
            "<h1 id=\"result\" data-result=\"success\">{}</h1><p>{}</p>",
            text(t, &m, None),
            text(t, &m, Some("body")),
        ),
    )
}

/// Shown when the sign-in did not complete because of a classified
/// problem: what happened, what to do, and the code for IT.
pub fn failure(problem: &Problem, lang: Lang) -> String {
    let aadsts = problem
        .aadsts
        .map(|n| format!(" AADSTS{n}"))
        .unwrap_or_default();
    failure_page(
        &problem.message(),
        Some(&problem.action()),
        Some(&format!("{}{aadsts}", problem.code)),
        lang,
    )
}

/// A failure that is not a classified `Problem` (store, account mismatch).
pub fn failure_message(message: &Message, action: Option<&Action>, lang: Lang) -> String {
    failure_page(message, action, None, lang)
}

fn failure_page(m: &Message, action: Option<&Action>, code: Option<&str>, lang: Lang) -> String {
    let t = crate::texts(lang);
    let mut body = format!(
        "<h1 id=\"result\" data-result=\"failure\">{}</h1><p><b>{}</b></p>",
        escape(&t.word("auth-page-failure")),
        text(t, m, None),
    );
    if let Some(explained) = t.attr(m, "body").filter(|b| !b.is_empty()) {
        body += &format!("<p>{}</p>", escape(&explained));
    }
    if let Some(a) = action {
        body += &format!(
            "<p><b>{}</b> {}</p>",
            escape(&t.word("auth-page-what-to-do")),
            text(t, &a.label(), None)
        );
    }
    if let Some(code) = code {
        body += &format!(
            "<p>{} <code>{}</code></p>",
            escape(&t.word("auth-page-code")),
            escape(code)
        );
    }
    page(t, "auth-page-failure-title", &body)
}

/// The answer to a request that is not this sign-in's callback; `reason`
/// is the technical cause (English, as in the log).
pub fn rejected(reason: &str, lang: Lang) -> String {
    let t = crate::texts(lang);
    let m = Message::new("auth-page-rejected");
    page(
        t,
        "auth-page-rejected-title",
        &format!(
            "<h1 id=\"result\" data-result=\"rejected\">{}</h1><p><code>{}</code></p><p>{}</p>",
            text(t, &m, None),
            escape(reason),
            text(t, &m, Some("body")),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_are_escaped() {
        let html = success("<script>alert(1)</script>", Lang::En);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }

    /// The visible text of a page: tags dropped, one line per block.
    fn visible(html: &str) -> String {
        let body = html.split("<body>").nth(1).unwrap_or_default();
        let mut out = String::new();
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.trim_end().replace("&amp;", "&").replace("&quot;", "\"")
    }

    #[track_caller]
    fn check(html: String, lang: &str, expect: &str) {
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{html}");
        assert_eq!(visible(&html), expect);
    }

    #[test]
    fn pages_speak_the_callers_language() {
        check(
            success("anna@kanzlei.example", Lang::En),
            "en",
            "Sign-in completeDocket Sync is signed in as anna@kanzlei.example. You can close this window.",
        );
        check(
            success("anna@kanzlei.example", Lang::De),
            "de",
            "Anmeldung abgeschlossenDocket Sync ist als anna@kanzlei.example angemeldet. Sie können dieses Fenster schließen.",
        );
        let p = crate::problem::classify_redirect_error("access_denied");
        check(
            failure(&p, Lang::En),
            "en",
            "Sign-in did not completeSign-in cancelledThe sign-in was cancelled or refused in the browser. Sign in again when you are ready.What to do: Sign in againCode: reauth.cancelled",
        );
        check(
            failure(&p, Lang::De),
            "de",
            "Anmeldung nicht abgeschlossenAnmeldung abgebrochenDie Anmeldung wurde im Browser abgebrochen oder abgelehnt. Melden Sie sich erneut an, sobald Sie bereit sind.Was tun: Erneut anmeldenCode: reauth.cancelled",
        );
        check(
            failure_message(&Message::new("auth-signin-stopped"), None, Lang::De),
            "de",
            "Anmeldung nicht abgeschlossenAnmeldung unterbrochenDocket Sync wurde beendet, bevor die Anmeldung abgeschlossen war. Starten Sie die Anmeldung erneut.",
        );
        check(
            rejected("malformed request", Lang::De),
            "de",
            "Anfrage nicht angenommenmalformed requestWenn Sie sich bei Docket Sync anmelden, schließen Sie die Anmeldung in dem Browser-Tab ab, den Docket Sync geöffnet hat.",
        );
    }
}

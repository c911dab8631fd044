//! The HTML pages of the sign-in flow. Plain forms, no JavaScript, with
//! the element ids of Microsoft's pages so that browser automation written
//! against Entra works here too: `i0116` (user name, `login`), `i0118`
//! (password, `passwd`), `idSIButton9` (primary button), `idBtn_Back`
//! (secondary button), `idTxtBx_SAOTCC_OTC` (one-time code).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::errors::{EntraError, ErrorContext};

/// The one-time code the emulated MFA step accepts. It is printed on the
/// MFA page; it is not a secret.
pub const MFA_CODE: &str = "246810";

pub(crate) fn esc(s: &str) -> String {
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
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:"Segoe UI",sans-serif;background:#f2f2f2}}main{{max-width:440px;margin:48px auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}}
input[type=email],input[type=password],input[type=text]{{width:100%;padding:6px 0;margin:8px 0;border:none;border-bottom:1px solid #666}}
.error{{color:#e81123}}.banner{{font-size:12px;color:#666}}button,input[type=submit]{{padding:6px 16px;margin:12px 8px 0 0}}</style>
</head><body><main>
<div class="banner">Microsoft 365 emulator (Docket Sync test double) &mdash; not Microsoft</div>
{body}
</main></body></html>"#,
        title = esc(title),
    )
}

fn hidden_flow(flow_id: &str) -> String {
    format!(
        r#"<input type="hidden" name="flow" value="{}">"#,
        esc(flow_id)
    )
}

/// The error page Entra shows when it cannot redirect back to the app
/// (unknown app, tenant or redirect URI).
pub(crate) fn error_page(err: &EntraError, ctx: &ErrorContext) -> Response {
    let body = format!(
        r#"<h1 id="loginHeader">Sign in</h1>
<p>Sorry, but we're having trouble signing you in.</p>
<p id="errorCode" class="error">{}</p>
<div id="debugDetails"><p>Request Id: {}</p><p>Correlation Id: {}</p><p>Timestamp: {}</p></div>"#,
        esc(&err.headline()),
        esc(&ctx.trace_id),
        esc(&ctx.correlation_id),
        ctx.now.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
    );
    (
        StatusCode::BAD_REQUEST,
        Html(page("Sign in to your account", &body)),
    )
        .into_response()
}

pub(crate) fn sign_in(
    tenant: &str,
    flow_id: &str,
    app_name: &str,
    prefill: Option<&str>,
    error: Option<&str>,
) -> Response {
    let error = error
        .map(|e| {
            format!(
                r#"<div id="passwordError" class="error" role="alert">{}</div>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"<h1 id="loginHeader">Sign in</h1>
<p>to continue to {app}</p>
{error}
<form method="post" action="/{tenant}/login" id="i0281">
{flow}
<input type="email" id="i0116" name="login" value="{prefill}" placeholder="Email, phone, or Skype" autocomplete="username" required>
<input type="password" id="i0118" name="passwd" placeholder="Password" autocomplete="current-password" required>
<input type="submit" id="idSIButton9" value="Sign in">
</form>"#,
        app = esc(app_name),
        tenant = esc(tenant),
        flow = hidden_flow(flow_id),
        prefill = esc(prefill.unwrap_or("")),
    );
    Html(page("Sign in to your account", &body)).into_response()
}

pub(crate) fn pick_account(tenant: &str, flow_id: &str, accounts: &[(String, String)]) -> Response {
    let tiles: String = accounts
        .iter()
        .map(|(upn, name)| {
            format!(
                r#"<li><button type="submit" name="account" value="{upn}" class="table" data-test-id="{upn}">{name}<br><small>{upn}</small></button></li>"#,
                upn = esc(upn),
                name = esc(name)
            )
        })
        .collect();
    let body = format!(
        r#"<h1 id="loginHeader">Pick an account</h1>
<form method="post" action="/{tenant}/select_account" id="i0281">
{flow}
<ul id="tilesHolder">{tiles}
<li><button type="submit" name="account" value="" id="otherTile">Use another account</button></li></ul>
</form>"#,
        tenant = esc(tenant),
        flow = hidden_flow(flow_id),
    );
    Html(page("Sign in to your account", &body)).into_response()
}

pub(crate) fn mfa(tenant: &str, flow_id: &str, upn: &str, error: Option<&str>) -> Response {
    let error = error
        .map(|e| {
            format!(
                r#"<div id="idSpan_SAOTCC_Error_OTC" class="error" role="alert">{}</div>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"<h1 id="idDiv_SAOTCC_Title">Enter code</h1>
<p>{upn}</p>
<p id="idDiv_SAOTCC_Description">Enter the code displayed in the Microsoft Authenticator app on your mobile device.
Emulator: the code is <code id="emulatorMfaCode">{code}</code>.</p>
{error}
<form method="post" action="/{tenant}/SAS/ProcessAuth" id="i0281">
{flow}
<input type="text" id="idTxtBx_SAOTCC_OTC" name="otc" inputmode="numeric" autocomplete="one-time-code" required>
<input type="submit" id="idSubmit_SAOTCC_Continue" value="Verify">
</form>"#,
        upn = esc(upn),
        code = MFA_CODE,
        tenant = esc(tenant),
        flow = hidden_flow(flow_id),
    );
    Html(page("Sign in to your account", &body)).into_response()
}

/// Conditional Access block: Entra shows this page and does not redirect.
pub(crate) fn blocked(err: &EntraError, ctx: &ErrorContext, upn: &str) -> Response {
    let body = format!(
        r#"<h1 id="loginHeader">You cannot access this right now</h1>
<p>{upn}</p>
<p>Your sign-in was successful but does not meet the criteria to access this resource.</p>
<p id="errorCode" class="error">{}</p>
<div id="debugDetails"><p>Request Id: {}</p><p>Correlation Id: {}</p></div>"#,
        esc(&err.headline()),
        esc(&ctx.trace_id),
        esc(&ctx.correlation_id),
        upn = esc(upn),
    );
    (
        StatusCode::FORBIDDEN,
        Html(page("Sign in to your account", &body)),
    )
        .into_response()
}

/// What the consent page says for a scope.
fn describe_scope(scope: &str) -> String {
    match scope {
        "openid" => "Sign you in".into(),
        "profile" => "View your basic profile".into(),
        "email" => "View your email address".into(),
        "offline_access" => "Maintain access to data you have given it access to".into(),
        "User.Read" => "Sign you in and read your profile".into(),
        "Calendars.ReadWrite" => "Have full access to your calendars".into(),
        "Tasks.ReadWrite" => "Create, read, update, and delete your tasks and task lists".into(),
        "Contacts.ReadWrite" => "Have full access to your contacts".into(),
        other => format!("Access {other}"),
    }
}

pub(crate) fn consent(
    tenant: &str,
    flow_id: &str,
    app_name: &str,
    upn: &str,
    scopes: &[String],
) -> Response {
    let items: String = scopes
        .iter()
        .map(|s| {
            format!(
                r#"<li data-scope="{s}">{}<br><small>{s}</small></li>"#,
                esc(&describe_scope(s)),
                s = esc(s)
            )
        })
        .collect();
    let body = format!(
        r#"<h1 id="loginHeader">Permissions requested</h1>
<p>{upn}</p>
<p><strong>{app}</strong> (unverified) needs permission to:</p>
<ul id="consentScopes">{items}</ul>
<p>Accepting these permissions means that you allow this app to use your data as specified in their terms of service and privacy statement.</p>
<form method="post" action="/{tenant}/Consent/Set" id="i0281">
{flow}
<button type="submit" name="acceptConsent" value="false" id="idBtn_Back">Cancel</button>
<button type="submit" name="acceptConsent" value="true" id="idSIButton9">Accept</button>
</form>"#,
        upn = esc(upn),
        app = esc(app_name),
        tenant = esc(tenant),
        flow = hidden_flow(flow_id),
    );
    Html(page("Permissions requested", &body)).into_response()
}

/// `response_mode=form_post`: a form that posts the response to the app.
/// It auto-submits where scripts run; the button works where they don't.
pub(crate) fn form_post(action: &str, params: &[(&str, String)]) -> Response {
    let fields: String = params
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                esc(k),
                esc(v)
            )
        })
        .collect();
    let body = format!(
        r#"<form method="post" action="{}" id="hiddenform">{fields}
<noscript><p>Script is disabled. Click Submit to continue.</p></noscript>
<input type="submit" id="idSIButton9" value="Submit"></form>
<script>document.getElementById("hiddenform").submit();</script>"#,
        esc(action)
    );
    Html(page("Working...", &body)).into_response()
}

pub(crate) fn signed_out() -> Response {
    Html(page(
        "Sign out",
        r#"<h1 id="loginHeader">You signed out of your account</h1><p>It's a good idea to close all browser windows.</p>"#,
    ))
    .into_response()
}

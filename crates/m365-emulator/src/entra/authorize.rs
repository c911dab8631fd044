//! `GET /{tenant}/oauth2/v2.0/authorize` and the pages behind it.
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code>
//!
//! A request is validated, stored as a `Flow` under a random flow id, and
//! then `advance` shows whatever `flow::next_step` says comes next. Each
//! form posts the flow id back; a finished or expired flow is gone, so a
//! replayed POST gets an error page (AADSTS50089) rather than a code.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use url::Url;
use uuid::Uuid;

use super::discovery::{tenant_not_found, TenantSegment};
use super::errors::{Aadsts, EntraError, ErrorContext};
use super::flow::{next_step, Facts, Step};
use super::{
    consented_scopes, pages, parse_scopes, redirect, AuthCode, AuthRequest, BrowserSession, Flow,
    FlowUser, Minted, Pkce, Prompt, ResponseMode, SessionAccount, SESSION_COOKIE,
};
use crate::world::World;
use crate::Shared;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize))
        .route("/{tenant}/login", post(login))
        .route("/{tenant}/select_account", post(select_account))
        .route("/{tenant}/SAS/ProcessAuth", post(process_mfa))
        .route("/{tenant}/Consent/Set", post(consent))
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
}

/// First value of each parameter of a query string or form body.
pub(crate) fn params(raw: &[u8]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    out
}

fn non_empty(p: &HashMap<String, String>, key: &str) -> Option<String> {
    p.get(key).filter(|v| !v.is_empty()).cloned()
}

/// The session cookie's value, if the browser sent one.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

/// Everything a handler needs from the request besides its parameters.
struct Ctx {
    now: DateTime<Utc>,
    err: ErrorContext,
    /// SHA-256 of the session cookie, if any.
    session_key: Option<String>,
}

impl Ctx {
    fn new(world: &World, base: String, headers: &HeaderMap) -> Ctx {
        let now = world.clock.now();
        Ctx {
            now,
            err: ErrorContext::new(now, base, headers),
            session_key: session_cookie(headers).map(|c| super::hash(&c)),
        }
    }
}

/// Session accounts that still count: the user exists, is in the flow's
/// tenant (when it names one) and signed in after any revocation.
fn live_accounts(world: &World, ctx: &Ctx, tenant: &TenantSegment) -> Vec<SessionAccount> {
    let Some(session) = ctx
        .session_key
        .as_ref()
        .and_then(|k| world.grants.sessions.get(k))
    else {
        return vec![];
    };
    session
        .accounts
        .iter()
        .filter(|a| tenant.tenant_id().is_none_or(|t| t == a.tenant_id))
        .filter(|a| {
            world
                .user(&a.user_id.to_string())
                .is_some_and(|(_, u)| a.auth_time >= world.grants.valid_from(u))
        })
        .cloned()
        .collect()
}

async fn authorize(
    State(shared): State<Shared>,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let base = shared.base_url();
    let p = params(query.unwrap_or_default().as_bytes());
    let response = {
        let mut world = shared.world();
        let ctx = Ctx::new(&world, base, &headers);
        world.grants.prune(ctx.now);
        start(&mut world, &ctx, &segment, &p)
    };
    shared.persist();
    response
}

fn start(world: &mut World, ctx: &Ctx, segment: &str, p: &HashMap<String, String>) -> Response {
    let page_error = |e: EntraError| pages::error_page(&e, &ctx.err);
    let Some(tenant) = TenantSegment::resolve(world, segment) else {
        return page_error(tenant_not_found(segment));
    };
    let Some(client_id) = non_empty(p, "client_id") else {
        return page_error(missing("client_id"));
    };
    let app = world
        .app(&client_id)
        .filter(|(t, _)| tenant.tenant_id().is_none_or(|id| id == t.id));
    let Some((_, app)) = app else {
        return page_error(app_not_found(&client_id, segment));
    };
    let Some(redirect_uri) = non_empty(p, "redirect_uri") else {
        return page_error(missing("redirect_uri"));
    };
    if !app
        .redirect_uris
        .iter()
        .any(|r| redirect::matches(r, &redirect_uri))
    {
        return page_error(EntraError::new(
            Aadsts::InvalidReplyTo,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
            ),
        ));
    }
    let client_id = app.client_id;
    let app_scopes = app.required_scopes.clone();

    // From here on, errors go back to the app's redirect URI.
    let state = p.get("state").cloned();
    let response_mode = match p.get("response_mode").map(String::as_str) {
        None | Some("query") => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        Some(other) => {
            let e = invalid_request(format!("The provided value '{other}' for the input parameter 'response_mode' is not valid."));
            return redirect_error(
                &redirect_uri,
                ResponseMode::Query,
                "invalid_request",
                &e,
                state.as_deref(),
                &ctx.err,
            );
        }
    };
    let fail = |error: &str, e: EntraError| {
        redirect_error(
            &redirect_uri,
            response_mode,
            error,
            &e,
            state.as_deref(),
            &ctx.err,
        )
    };
    match p.get("response_type").map(String::as_str) {
        Some("code") => {}
        None => return fail("invalid_request", missing("response_type")),
        Some(other) => {
            return fail(
                "unsupported_response_type",
                EntraError::new(
                    Aadsts::UnsupportedResponseType,
                    format!("The provided value for the input parameter 'response_type' is not allowed for this request. Expected value: 'code'. Received value: '{other}'."),
                ),
            )
        }
    }
    let scopes = parse_scopes(
        p.get("scope").map(String::as_str).unwrap_or(""),
        &app_scopes,
    );
    if scopes.is_empty() {
        return fail("invalid_request", missing("scope"));
    }
    if let Some(bad) = scopes.iter().find(|s| !valid_scope(s)) {
        return fail(
            "invalid_scope",
            EntraError::new(Aadsts::InvalidScope, format!("The provided value for the input parameter 'scope' isn't valid. The scope {bad} isn't valid.")),
        );
    }
    let code_challenge = non_empty(p, "code_challenge");
    let code_challenge_method = match (
        p.get("code_challenge_method").map(String::as_str),
        &code_challenge,
    ) {
        (None, None) => None,
        (None, Some(_)) | (Some("plain"), Some(_)) => Some(Pkce::Plain),
        (Some("S256"), Some(_)) => Some(Pkce::S256),
        (Some(_), None) => return fail("invalid_request", missing("code_challenge")),
        (Some(other), Some(_)) => {
            return fail(
                "invalid_request",
                invalid_request(format!(
                "Invalid code_challenge_method '{other}'. Supported values are 'plain' and 'S256'."
            )),
            )
        }
    };
    let prompt = match p.get("prompt").map(String::as_str) {
        None => None,
        Some("login") => Some(Prompt::Login),
        Some("none") => Some(Prompt::None),
        Some("consent") => Some(Prompt::Consent),
        Some("select_account") => Some(Prompt::SelectAccount),
        Some(other) => {
            return fail(
                "invalid_request",
                invalid_request(format!(
                    "Invalid value for the input parameter 'prompt': '{other}'."
                )),
            )
        }
    };
    let login_hint = non_empty(p, "login_hint");

    // Who is the user? Single sign-on from the browser session unless the
    // request forbids it.
    let accounts = live_accounts(world, ctx, &tenant);
    let hinted = login_hint.as_ref().and_then(|hint| {
        accounts.iter().find(|a| {
            world
                .user(&a.user_id.to_string())
                .is_some_and(|(_, u)| u.matches(hint))
        })
    });
    let (user, picker) = match prompt {
        Some(Prompt::Login) => (None, false),
        Some(Prompt::SelectAccount) => (None, !accounts.is_empty()),
        _ => match (hinted, login_hint.is_some(), accounts.as_slice()) {
            (Some(a), _, _) => (Some(a.clone()), false),
            (None, true, _) => (None, false),
            (None, false, [one]) => (Some(one.clone()), false),
            (None, false, []) => (None, false),
            (None, false, _) => (None, true),
        },
    };
    let flow = Flow {
        created_at: ctx.now,
        request: AuthRequest {
            tenant_segment: segment.to_string(),
            client_id,
            redirect_uri,
            scopes,
            state,
            nonce: non_empty(p, "nonce"),
            code_challenge,
            code_challenge_method,
            prompt,
            login_hint,
            response_mode,
        },
        user: user.map(|a| FlowUser {
            user_id: a.user_id,
            tenant_id: a.tenant_id,
            auth_time: a.auth_time,
            mfa: a.mfa,
        }),
        picker,
        consent_given: false,
    };
    let flow_id = Uuid::new_v4().simple().to_string();
    world.grants.flows.insert(flow_id.clone(), flow);
    advance(world, ctx, &flow_id)
}

/// Scope names: Graph permission names and the OIDC scopes.
fn valid_scope(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':'))
}

fn missing(name: &str) -> EntraError {
    EntraError::new(
        Aadsts::MissingParameter,
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

fn invalid_request(message: String) -> EntraError {
    EntraError::new(Aadsts::InvalidRequest, message)
}

pub(crate) fn app_not_found(client_id: &str, segment: &str) -> EntraError {
    EntraError::new(
        Aadsts::AppNotFound,
        format!(
            "Application with identifier '{client_id}' was not found in the directory '{segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ),
    )
}

fn flow_expired(ctx: &Ctx) -> Response {
    pages::error_page(
        &EntraError::new(
            Aadsts::FlowTokenExpired,
            "Authentication failed due to flow token expired. This sign-in is finished or took too long; start again from the application.",
        ),
        &ctx.err,
    )
}

/// Show the next page of a flow, or finish it.
fn advance(world: &mut World, ctx: &Ctx, flow_id: &str) -> Response {
    let Some(flow) = world.grants.flows.get(flow_id).cloned() else {
        return flow_expired(ctx);
    };
    let req = &flow.request;
    let tenant =
        TenantSegment::resolve(world, &req.tenant_segment).unwrap_or(TenantSegment::Any("common"));
    let Some((_, app)) = world.app(&req.client_id.to_string()) else {
        return pages::error_page(
            &app_not_found(&req.client_id.to_string(), &req.tenant_segment),
            &ctx.err,
        );
    };
    let app_name = app.display_name.clone();
    let found = flow.user.as_ref().and_then(|fu| {
        world
            .user(&fu.user_id.to_string())
            .map(|(t, u)| (fu.clone(), t.clone(), u.clone()))
    });
    let accounts = live_accounts(world, ctx, &tenant);
    let facts = match &found {
        None => Facts {
            prompt: req.prompt,
            picker: flow.picker && !accounts.is_empty(),
            ..Facts::default()
        },
        Some((fu, t, u)) => {
            let consented = consented_scopes(t, u, req.client_id);
            Facts {
                prompt: req.prompt,
                user: true,
                picker: false,
                blocked: u.policy.blocked_by_conditional_access,
                mfa_pending: u.policy.require_mfa && !fu.mfa,
                consent_pending: req.scopes.iter().any(|s| !consented.contains(s))
                    || (req.prompt == Some(Prompt::Consent) && !flow.consent_given),
            }
        }
    };
    let seg = &req.tenant_segment;
    match next_step(&facts) {
        Step::SignIn => pages::sign_in(seg, flow_id, &app_name, req.login_hint.as_deref(), None),
        Step::PickAccount => {
            let tiles: Vec<(String, String)> = accounts
                .iter()
                .filter_map(|a| world.user(&a.user_id.to_string()))
                .map(|(_, u)| (u.user_principal_name.clone(), u.display_name.clone()))
                .collect();
            pages::pick_account(seg, flow_id, &tiles)
        }
        Step::Mfa => {
            let upn = found
                .map(|(_, _, u)| u.user_principal_name)
                .unwrap_or_default();
            pages::mfa(seg, flow_id, &upn, None)
        }
        Step::Blocked => {
            world.grants.flows.remove(flow_id);
            let upn = found
                .map(|(_, _, u)| u.user_principal_name)
                .unwrap_or_default();
            let e = EntraError::new(
                Aadsts::BlockedByConditionalAccess,
                "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
            );
            pages::blocked(&e, &ctx.err, &upn)
        }
        Step::Consent => {
            let upn = found
                .map(|(_, _, u)| u.user_principal_name)
                .unwrap_or_default();
            pages::consent(seg, flow_id, &app_name, &upn, &req.scopes)
        }
        Step::Fail(error, kind) => {
            world.grants.flows.remove(flow_id);
            let e = match kind {
                Aadsts::UserInformationNotProvided => EntraError::new(kind, "Session information is not sufficient for single-sign-on."),
                Aadsts::MfaRequired => EntraError::new(kind, "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'."),
                Aadsts::BlockedByConditionalAccess => EntraError::new(kind, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."),
                _ => EntraError::new(kind, format!("The user or administrator has not consented to use the application with ID '{}' named '{app_name}'. Send an interactive authorization request for this user and resource.", req.client_id)),
            };
            redirect_error(
                &req.redirect_uri,
                req.response_mode,
                error,
                &e,
                req.state.as_deref(),
                &ctx.err,
            )
        }
        Step::Issue => {
            let Some((fu, _, _)) = found else {
                return flow_expired(ctx);
            };
            world.grants.flows.remove(flow_id);
            let code = Minted::new();
            world.grants.codes.insert(
                code.hash(),
                AuthCode {
                    issued_at: ctx.now,
                    redeemed: false,
                    tenant_id: fu.tenant_id,
                    user_id: fu.user_id,
                    client_id: req.client_id,
                    redirect_uri: req.redirect_uri.clone(),
                    scopes: req.scopes.clone(),
                    nonce: req.nonce.clone(),
                    code_challenge: req.code_challenge.clone(),
                    code_challenge_method: req.code_challenge_method,
                    auth_time: fu.auth_time,
                    mfa: fu.mfa,
                },
            );
            let mut out = vec![("code", code.expose().to_string())];
            if let Some(s) = &req.state {
                out.push(("state", s.clone()));
            }
            // Entra also returns `session_state`; clients ignore it.
            out.push(("session_state", Uuid::new_v4().to_string()));
            respond(&req.redirect_uri, req.response_mode, &out)
        }
    }
}

/// Send parameters back to the app in the requested response mode.
fn respond(redirect_uri: &str, mode: ResponseMode, out: &[(&str, String)]) -> Response {
    // Redirect URIs without a path come back with a trailing slash, which
    // is what `Url` serialisation does.
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return (StatusCode::BAD_REQUEST, "invalid redirect_uri").into_response();
    };
    match mode {
        ResponseMode::Query => {
            url.query_pairs_mut()
                .extend_pairs(out.iter().map(|(k, v)| (*k, v.as_str())));
        }
        ResponseMode::Fragment => {
            let frag = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(out.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            url.set_fragment(Some(&frag));
        }
        ResponseMode::FormPost => return pages::form_post(url.as_str(), out),
    }
    found(url.as_str())
}

fn found(location: &str) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    resp
}

fn redirect_error(
    redirect_uri: &str,
    mode: ResponseMode,
    error: &str,
    e: &EntraError,
    state: Option<&str>,
    ctx: &ErrorContext,
) -> Response {
    let description = format!(
        "{}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
        e.headline(),
        ctx.trace_id,
        ctx.correlation_id,
        ctx.now.format("%Y-%m-%d %H:%M:%SZ")
    );
    let mut out = vec![
        ("error", error.to_string()),
        ("error_description", description),
        (
            "error_uri",
            format!("{}/error?code={}", ctx.base_url, e.kind.code()),
        ),
    ];
    if let Some(s) = state {
        out.push(("state", s.to_string()));
    }
    respond(redirect_uri, mode, &out)
}

/// Put an account into the browser session (creating the session when the
/// browser has none) and return the cookie to set, if a new one.
fn remember(world: &mut World, ctx: &Ctx, account: SessionAccount) -> Option<String> {
    let (key, fresh) = match ctx
        .session_key
        .as_ref()
        .filter(|k| world.grants.sessions.contains_key(*k))
    {
        Some(k) => (k.clone(), None),
        None => {
            let cookie = Minted::new();
            let key = cookie.hash();
            world
                .grants
                .sessions
                .insert(key.clone(), BrowserSession { accounts: vec![] });
            (key, Some(cookie))
        }
    };
    if let Some(session) = world.grants.sessions.get_mut(&key) {
        session.accounts.retain(|a| a.user_id != account.user_id);
        session.accounts.insert(0, account);
    }
    fresh.map(|c| {
        format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax",
            c.expose()
        )
    })
}

fn with_cookie(mut resp: Response, cookie: Option<String>) -> Response {
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

/// Run a form handler: parse the body, find the flow, act, persist.
async fn form_step(
    shared: Shared,
    headers: HeaderMap,
    body: Bytes,
    act: impl FnOnce(&mut World, &Ctx, &str, &Flow, &HashMap<String, String>) -> Response,
) -> Response {
    let base = shared.base_url();
    let p = params(&body);
    let response = {
        let mut world = shared.world();
        let ctx = Ctx::new(&world, base, &headers);
        world.grants.prune(ctx.now);
        let flow_id = p.get("flow").cloned().unwrap_or_default();
        match world.grants.flows.get(&flow_id).cloned() {
            Some(flow) => act(&mut world, &ctx, &flow_id, &flow, &p),
            None => flow_expired(&ctx),
        }
    };
    shared.persist();
    response
}

/// `POST /{tenant}/login`: user name and password.
async fn login(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    form_step(shared, headers, body, |world, ctx, flow_id, flow, p| {
        if flow.user.is_some() {
            return advance(world, ctx, flow_id);
        }
        let login = p.get("login").map(|s| s.trim().to_string()).unwrap_or_default();
        let password = p.get("passwd").map(String::as_str).unwrap_or("");
        let req = &flow.request;
        let (app_name, seg) = (
            world.app(&req.client_id.to_string()).map(|(_, a)| a.display_name.clone()).unwrap_or_default(),
            req.tenant_segment.clone(),
        );
        let tenant = TenantSegment::resolve(world, &seg);
        let user = world
            .user(&login)
            .filter(|(t, _)| tenant.as_ref().and_then(|s| s.tenant_id()).is_none_or(|id| id == t.id))
            .map(|(t, u)| (t.id, u.id, u.password.verify(password)));
        let again = |msg: &str| pages::sign_in(&seg, flow_id, &app_name, Some(&login), Some(msg));
        match user {
            None => again("AADSTS50034: This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin."),
            Some((_, _, false)) => again("AADSTS50126: Your account or password is incorrect. If you don't remember your password, reset it now."),
            Some((tenant_id, user_id, true)) => {
                let fu = FlowUser { user_id, tenant_id, auth_time: ctx.now, mfa: false };
                if let Some(f) = world.grants.flows.get_mut(flow_id) {
                    f.user = Some(fu);
                }
                let cookie = remember(world, ctx, SessionAccount { user_id, tenant_id, auth_time: ctx.now, mfa: false });
                with_cookie(advance(world, ctx, flow_id), cookie)
            }
        }
    })
    .await
}

/// `POST /{tenant}/select_account`: a session account, or "" for "Use
/// another account".
async fn select_account(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    form_step(shared, headers, body, |world, ctx, flow_id, flow, p| {
        if flow.user.is_some() {
            return advance(world, ctx, flow_id);
        }
        let chosen = p.get("account").cloned().unwrap_or_default();
        let tenant = TenantSegment::resolve(world, &flow.request.tenant_segment)
            .unwrap_or(TenantSegment::Any("common"));
        let account = live_accounts(world, ctx, &tenant).into_iter().find(|a| {
            !chosen.is_empty()
                && world
                    .user(&a.user_id.to_string())
                    .is_some_and(|(_, u)| u.matches(&chosen))
        });
        if let Some(f) = world.grants.flows.get_mut(flow_id) {
            match account {
                Some(a) => {
                    f.user = Some(FlowUser {
                        user_id: a.user_id,
                        tenant_id: a.tenant_id,
                        auth_time: a.auth_time,
                        mfa: a.mfa,
                    })
                }
                None => f.picker = false,
            }
        }
        advance(world, ctx, flow_id)
    })
    .await
}

/// `POST /{tenant}/SAS/ProcessAuth`: the MFA one-time code.
async fn process_mfa(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    form_step(shared, headers, body, |world, ctx, flow_id, flow, p| {
        let Some(fu) = flow.user.clone() else {
            return advance(world, ctx, flow_id);
        };
        if p.get("otc").map(|s| s.trim()) != Some(pages::MFA_CODE) {
            let upn = world
                .user(&fu.user_id.to_string())
                .map(|(_, u)| u.user_principal_name.clone())
                .unwrap_or_default();
            return pages::mfa(
                &flow.request.tenant_segment,
                flow_id,
                &upn,
                Some("You didn't enter the expected verification code. Please try again."),
            );
        }
        if let Some(f) = world.grants.flows.get_mut(flow_id) {
            if let Some(u) = f.user.as_mut() {
                u.mfa = true;
            }
        }
        let cookie = remember(
            world,
            ctx,
            SessionAccount {
                user_id: fu.user_id,
                tenant_id: fu.tenant_id,
                auth_time: fu.auth_time,
                mfa: true,
            },
        );
        with_cookie(advance(world, ctx, flow_id), cookie)
    })
    .await
}

/// `POST /{tenant}/Consent/Set`: Accept (`acceptConsent=true`) or Cancel.
async fn consent(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    form_step(shared, headers, body, |world, ctx, flow_id, flow, p| {
        let Some(fu) = flow.user.clone() else {
            return advance(world, ctx, flow_id);
        };
        let req = &flow.request;
        if p.get("acceptConsent").map(String::as_str) != Some("true") {
            world.grants.flows.remove(flow_id);
            let e = EntraError::new(
                Aadsts::UserDeclinedConsent,
                "User declined to consent to access the app.",
            );
            return redirect_error(
                &req.redirect_uri,
                req.response_mode,
                "access_denied",
                &e,
                req.state.as_deref(),
                &ctx.err,
            );
        }
        if let Some(user) = world.user_mut(&fu.user_id.to_string()) {
            user.consents
                .entry(req.client_id)
                .or_default()
                .extend(req.scopes.iter().cloned());
        }
        if let Some(f) = world.grants.flows.get_mut(flow_id) {
            f.consent_given = true;
        }
        advance(world, ctx, flow_id)
    })
    .await
}

/// `GET /{tenant}/oauth2/v2.0/logout`: end the browser session.
/// <https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#send-a-sign-out-request>
async fn logout(
    State(shared): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let p = params(query.unwrap_or_default().as_bytes());
    if let Some(cookie) = session_cookie(&headers) {
        shared.world().grants.sessions.remove(&super::hash(&cookie));
        shared.persist();
    }
    let resp = match non_empty(&p, "post_logout_redirect_uri") {
        Some(uri) if Url::parse(&uri).is_ok() => found(&uri),
        _ => pages::signed_out(),
    };
    with_cookie(
        resp,
        Some(format!(
            "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        )),
    )
}

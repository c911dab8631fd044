//! `signin`, `signout`, `status`, `check`, `client-secret set` and
//! `source-credential set`: thin wrappers over `docket-app`, printing
//! results and mapping errors to exit codes (`docs/cli.md`).

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use docket_app::status::{State, Status};
use docket_app::{Actor, App, AppError};
use docket_auth::{Browser, SystemBrowser};
use docket_secrets::SecretString;

/// Exit codes other than 0 (success).
pub mod exit {
    /// The user must act: sign in (again), or the sign-in was not finished.
    pub const USER: u8 = 1;
    /// Something on this computer: configuration, keyring, state database
    /// (also clap's code for bad arguments).
    pub const LOCAL: u8 = 2;
    /// IT must act (app registration, tenant, firm configuration).
    pub const ADMIN: u8 = 3;
    /// Temporary (network, Microsoft unavailable): try again later.
    pub const RETRY: u8 = 4;
}

fn exit_code(actor: Actor) -> ExitCode {
    ExitCode::from(match actor {
        Actor::User => exit::USER,
        Actor::Local => exit::LOCAL,
        Actor::Admin => exit::ADMIN,
        Actor::Retry => exit::RETRY,
    })
}

fn out(text: &str) {
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// The error as JSON (for `--json`): codes for scripts, texts for people.
fn error_json(e: &AppError) -> serde_json::Value {
    serde_json::json!({
        "ok": false,
        "error": {
            "code": e.code(),
            "actor": e.actor(),
            "aadsts": e.problem().and_then(|p| p.aadsts),
            "message_en": e.message_en(),
            "message_de": e.message_de(),
            "fix_en": e.fix_en(),
            "fix_de": e.fix_de(),
        }
    })
}

/// The error for people: code, English and German message and fix.
fn error_text(e: &AppError) -> String {
    let mut s = format!("error [{}]", e.code());
    if let Some(n) = e.problem().and_then(|p| p.aadsts) {
        s += &format!(" (AADSTS{n})");
    }
    s += &format!(": {}\n", e.message_en());
    if let Some(de) = e.message_de() {
        s += &format!("  Deutsch: {de}\n");
    }
    s += &format!("  fix: {}\n", e.fix_en());
    if let Some(de) = e.fix_de() {
        s += &format!("  Lösung: {de}\n");
    }
    s
}

/// Report `e` (JSON on stdout, or text on stderr) and give its exit code.
fn fail(e: &AppError, json: bool) -> ExitCode {
    if json {
        out(&format!("{}\n", error_json(e)));
    } else {
        eprint!("{}", error_text(e));
    }
    exit_code(e.actor())
}

fn open(config: Option<PathBuf>, json: bool) -> Result<App, ExitCode> {
    App::open(config).map_err(|e| fail(&e, json))
}

/// Does not open anything: the URL is printed.
struct NoBrowser;

impl Browser for NoBrowser {
    fn open(&self, _url: &str) -> std::io::Result<()> {
        Ok(())
    }
}

pub async fn signin(config: Option<PathBuf>, no_browser: bool) -> ExitCode {
    let app = match open(config, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let browser: &dyn Browser = if no_browser {
        &NoBrowser
    } else {
        &SystemBrowser
    };
    let on_url = |url: &str| {
        if no_browser {
            out(&format!(
                "Open this address in a browser on this computer to sign in:\n\n  {url}\n\n"
            ));
        } else {
            out(&format!(
                "Opening your browser to sign in. If it does not open, copy this address into a \
                 browser on this computer:\n\n  {url}\n\n"
            ));
        }
        out("Waiting for the sign-in to finish (Ctrl-C to cancel)...\n");
    };
    let result = tokio::select! {
        r = app.sign_in(browser, on_url) => r,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("The sign-in was cancelled; nothing was changed.");
            return ExitCode::from(exit::USER);
        }
    };
    match result {
        Ok(report) => {
            let who = match &report.display_name {
                Some(name) => format!("{name} <{}>", report.username),
                None => report.username.clone(),
            };
            let again = if report.reauthenticated {
                " (signed in again)"
            } else {
                ""
            };
            out(&format!("Signed in as {who}{again}.\n"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, false),
    }
}

pub fn signout(config: Option<PathBuf>) -> ExitCode {
    let app = match open(config, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    match app.sign_out() {
        Ok(Some(user)) => {
            out(&format!(
                "Signed out {user}; its sign-in was removed from {}.\n",
                app.secret_store().location()
            ));
            ExitCode::SUCCESS
        }
        Ok(None) => {
            out("Not signed in; nothing to remove.\n");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, false),
    }
}

pub fn status(config: Option<PathBuf>, json: bool) -> ExitCode {
    let app = match open(config, json) {
        Ok(app) => app,
        Err(code) => return code,
    };
    match app.status(chrono::Utc::now()) {
        Ok(status) => {
            if json {
                let mut v = serde_json::to_value(&status).unwrap_or_default();
                v["ok"] = true.into();
                out(&format!("{v}\n"));
            } else {
                out(&render_status(&status));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, json),
    }
}

pub async fn check(config: Option<PathBuf>, json: bool) -> ExitCode {
    let app = match open(config, json) {
        Ok(app) => app,
        Err(code) => return code,
    };
    match app.check(chrono::Utc::now()).await {
        Ok(report) => {
            if json {
                out(&format!(
                    "{}\n",
                    serde_json::json!({
                        "ok": true,
                        "username": report.username,
                        "display_name": report.display_name,
                        "refreshed_at": report.refreshed_at,
                        "modules": report.modules,
                    })
                ));
            } else {
                out(&format!(
                    "OK: signed in as {}; the sign-in was refreshed and Microsoft Graph answered.\n",
                    report.username
                ));
                for m in &report.modules {
                    if m.ok {
                        out(&format!("OK    {:<9} ({})\n", m.module, m.scope));
                    } else {
                        out(&format!("FAIL  {:<9} {}\n", m.module, m.detail));
                    }
                }
            }
            if report.modules.iter().all(|m| m.ok) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(exit::ADMIN)
            }
        }
        Err(e) => fail(&e, json),
    }
}

pub async fn sync(
    config: Option<PathBuf>,
    options: docket_app::sync::SyncOptions,
    json: bool,
) -> ExitCode {
    let app = match open(config, json) {
        Ok(app) => app,
        Err(code) => return code,
    };
    match app.sync(options, chrono::Utc::now()).await {
        Ok(report) => {
            if json {
                let mut v = serde_json::to_value(&report).unwrap_or_default();
                v["ok"] = serde_json::Value::Bool(true);
                out(&format!("{v}\n"));
            } else {
                out(&sync_text(&report));
            }
            if report.failed.is_empty() && report.held_back.is_empty() && report.brake.is_none() {
                ExitCode::SUCCESS
            } else {
                // Some items are left for the next run (or for --force).
                ExitCode::from(exit::RETRY)
            }
        }
        Err(e) => fail(&e, json),
    }
}

/// `docketsync run`: the background loop in the foreground.
pub async fn run(config: Option<PathBuf>) -> ExitCode {
    use docket_app::schedule::{self, Control, Memory, Notification, Observer, Outcome, Timing};

    struct Terminal;

    impl Observer for Terminal {
        fn ran(&self, outcome: &Outcome, memory: &Memory) {
            let at = chrono::Local::now().format("%H:%M");
            match outcome {
                Outcome::Exported(r) => out(&format!(
                    "{at} exported: {} created, {} updated, {} deleted, {} recreated, {} unchanged; {} failed, {} paused; {} Graph requests\n",
                    r.created,
                    r.updated,
                    r.deleted,
                    r.recreated,
                    r.unchanged,
                    r.failed.len(),
                    r.held_back.len(),
                    r.requests.graph_requests
                )),
                Outcome::Failed(e) if memory.waiting_for_user => out(&format!(
                    "{at} waiting for you: {} ({}). Fix: {}\n",
                    e.message_en(),
                    e.code(),
                    e.fix_en()
                )),
                Outcome::Failed(e) => out(&format!(
                    "{at} failed ({} in a row; tried again by itself): {} ({})\n",
                    memory.failures.max(1),
                    e.message_en(),
                    e.code()
                )),
            }
        }

        fn notify(&self, n: &Notification) {
            out(&format!("NOTICE {}: {}\n", n.title_en, n.body_en));
        }
    }

    let app = match open(config, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let timing = Timing::from_config(app.config());
    let control = Control::default();
    let stopper = control.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stopper.stop();
        }
    });
    out(&format!(
        "Exporting every {} minutes; Ctrl-C stops.\n",
        timing.every.num_minutes()
    ));
    schedule::run(&app, timing, &schedule::WallClock, &Terminal, &control).await;
    ExitCode::SUCCESS
}

pub(crate) fn sync_text(r: &docket_app::sync::SyncReport) -> String {
    let mut s = String::new();
    if r.dry_run {
        s.push_str(&format!("Plan (nothing was changed): {}\n", r.plan));
    } else {
        s.push_str(&format!(
            "Exported: {} created, {} updated, {} deleted, {} recreated after deletion in Outlook, {} moved, {} unchanged.\n",
            r.created, r.updated, r.deleted, r.recreated, r.moved, r.unchanged
        ));
    }
    if let Some(brake) = &r.brake {
        s.push_str(&format!(
            "Held back: {brake}\n  Run `docketsync sync --force` to carry them out.\n"
        ));
    }
    for f in &r.failed {
        s.push_str(&format!("Failed (tried again next run): {f}\n"));
    }
    for h in &r.held_back {
        s.push_str(&format!(
            "Paused after repeated failures: {h}\n  Run `docketsync sync --retry-now` to try it at once.\n"
        ));
    }
    for k in &r.skipped {
        s.push_str(&format!("Skipped: {k}\n"));
    }
    for n in &r.notices {
        s.push_str(&format!("Note: {n}\n"));
    }
    s.push_str(&format!(
        "Microsoft Graph requests: {} ({} reads, {} writes in {} batches; {} throttled and retried).\n",
        r.requests.graph_requests, r.requests.reads, r.requests.writes, r.requests.batches, r.requests.throttled
    ));
    s
}

pub fn client_secret_set(config: Option<PathBuf>) -> ExitCode {
    let app = match open(config, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let secret = match read_secret(
        "Paste the client secret's Value (Azure portal → App registrations → Certificates & \
         secrets; not shown) and press Enter: ",
    ) {
        Ok(secret) => secret,
        Err(code) => return code,
    };
    match app.set_client_secret(secret) {
        Ok(()) => {
            out(&format!(
                "The client secret was stored in {}.\n",
                app.secret_store().location()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, false),
    }
}

pub fn source_credential_set(config: Option<PathBuf>) -> ExitCode {
    let app = match open(config, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let prompt = match docket_app::source_auth(app.config()) {
        Some(docket_config::SourceAuth::Bearer) => {
            "Paste the PMS server's token (not shown) and press Enter: ".to_owned()
        }
        _ => {
            let user = match &app.config().source {
                docket_config::Source::IcsUrl { username, .. }
                | docket_config::Source::CalDav { username, .. } => {
                    username.clone().unwrap_or_default()
                }
                _ => String::new(),
            };
            format!("Password of '{user}' on the PMS server (not shown), then Enter: ")
        }
    };
    let secret = match read_secret(&prompt) {
        Ok(secret) => secret,
        Err(code) => return code,
    };
    match app.set_source_credential(secret) {
        Ok(()) => {
            out(&format!(
                "The PMS credential was stored in {}.\n",
                app.secret_store().location()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, false),
    }
}

/// A secret from the terminal (not echoed) or from standard input.
fn read_secret(prompt: &str) -> Result<SecretString, ExitCode> {
    let stdin = std::io::stdin();
    let read = if stdin.is_terminal() {
        rpassword::prompt_password(prompt)
    } else {
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text).map(|_| text)
    };
    match read {
        Ok(text) => Ok(SecretString::new(text.trim_end_matches(['\r', '\n']))),
        Err(e) => {
            eprintln!("error: cannot read the secret from standard input: {e}");
            Err(ExitCode::from(exit::LOCAL))
        }
    }
}

fn render_status(s: &Status) -> String {
    let t = |d: &chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut o = String::new();
    match &s.account {
        None => o += "Not signed in. Run `docketsync signin`.\n",
        Some(a) => {
            let who = match &a.display_name {
                Some(name) => format!("{name} <{}>", a.username),
                None => a.username.clone(),
            };
            o += &format!("Signed in as {who}\n");
        }
    }
    let state = match s.state {
        State::SignedOut => "signed out",
        State::Ok => "OK",
        State::SignInRequired => "sign in again (`docketsync signin`)",
        State::AdminActionRequired => "IT must act (see the fix below)",
        State::Retrying => "temporary problem; Docket Sync retries by itself",
    };
    o += &format!("  state              {state}\n");
    if let Some(at) = &s.signed_in_at {
        o += &format!("  signed in          {}\n", t(at));
    }
    if let Some(at) = &s.last_good_refresh_at {
        o += &format!("  last good refresh  {}\n", t(at));
    }
    if s.account.is_some() {
        let token = match s.token {
            docket_app::status::TokenState::Present => "stored",
            docket_app::status::TokenState::Missing => "missing (sign in again)",
            docket_app::status::TokenState::Unreadable => "cannot be read",
            docket_app::status::TokenState::None => "none",
        };
        o += &format!("  refresh token      {token}\n");
    }
    o += &format!("  secrets kept in    {}\n", s.secret_store.location);
    if let Some(k) = &s.keep_alive {
        o += &format!(
            "  next keep-alive    {}{}\n",
            t(&k.next_refresh_at),
            if k.refresh_due { " (due now)" } else { "" }
        );
        if let Some(at) = &k.next_required_sign_in {
            o += &format!("  sign in again by   {}\n", t(at));
        }
    }
    if let Some(p) = &s.problem {
        let aadsts = p
            .aadsts
            .map(|n| format!(" (AADSTS{n})"))
            .unwrap_or_default();
        o += &format!(
            "  problem            [{}]{aadsts} at {}\n",
            p.code,
            t(&p.at)
        );
        if !p.message_en.is_empty() {
            o += &format!("    {}\n    Deutsch: {}\n", p.message_en, p.message_de);
            o += &format!("    fix: {}\n    Lösung: {}\n", p.fix_en, p.fix_de);
        }
    }
    for w in &s.warnings {
        o += &format!("  warning            {}\n", w.text_en());
        o += &format!("    Deutsch: {}\n", w.text_de());
    }
    if let Some(e) = &s.last_export {
        if e.ok {
            o += &format!(
                "  last export        {}: {} created, {} updated, {} deleted, {} recreated\n",
                t(&e.at),
                e.created,
                e.updated,
                e.deleted,
                e.recreated
            );
            if e.failed + e.held_back + e.skipped > 0 {
                o += &format!(
                    "    {} item(s) failed, {} pausing after repeated failures, {} record(s) skipped: `docketsync sync` lists them\n",
                    e.failed, e.held_back, e.skipped
                );
            }
        } else {
            o += &format!(
                "  last export        {}: did not finish [{}]\n    {}\n    fix: {}\n",
                t(&e.at),
                e.error_code.as_deref().unwrap_or("-"),
                e.error_en.as_deref().unwrap_or("-"),
                e.fix_en.as_deref().unwrap_or("-")
            );
        }
    }
    o
}

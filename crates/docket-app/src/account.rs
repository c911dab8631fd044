//! The account: browser sign-in (and re-authentication of the stored
//! account), sign-out, the sign-in status, `check` (refresh now + `/me` +
//! one read per module), and the token manager held for the process.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use docket_auth::keepalive::learned_sign_in_frequency;
use docket_auth::{Account, Browser, TokenManager};
use docket_config::ClientType;
use docket_graph::{GraphClient, Options, TokenError, TokenSource};
use docket_secrets::SecretString;
use docket_store::{AccountRecord, ProblemRecord};

use crate::{export_lock, status, App, AppError, Status, LAST_EXPORT};

/// How long a sign-in or sign-out waits for a running export to end before
/// it changes the account (an export of 10,000 items takes well under this).
const ACCOUNT_CHANGE_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// A completed sign-in.
#[derive(Debug, Clone)]
pub struct SignInReport {
    pub username: String,
    pub display_name: Option<String>,
    pub signed_in_at: DateTime<Utc>,
    /// The stored account signed in again (not a first sign-in).
    pub reauthenticated: bool,
}

/// A successful check.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub username: String,
    pub display_name: Option<String>,
    pub refreshed_at: DateTime<Utc>,
    /// One line per switched-on module: can Docket Sync reach it?
    pub modules: Vec<ModuleCheck>,
}

impl CheckReport {
    /// Every switched-on module could be read (none failed its check).
    pub fn ok(&self) -> bool {
        self.modules.iter().all(|m| m.ok)
    }
}

/// "Test connection" for one module.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModuleCheck {
    /// `calendar`, `tasks` or `contacts`.
    pub module: &'static str,
    pub ok: bool,
    /// The delegated permission the module needs.
    pub scope: &'static str,
    /// What went wrong (`None` when OK), rendered by the front end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<docket_text::Message>,
    /// The fix (`None` when OK).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<docket_text::Action>,
}

/// Why a module's test read failed: a 401/403 names the delegated
/// permission IT must add and consent to; anything else is passing (why
/// the read failed, `graph-…`, is an argument).
pub(crate) fn module_failure(
    scope: &str,
    status: Option<u16>,
    detail: docket_text::Message,
) -> (docket_text::Message, docket_text::Action) {
    use docket_text::{Action, Message};
    match status {
        Some(401 | 403) => (
            Message::new("check-module-permission-missing").text("scope", scope),
            Action::FixAppRegistration,
        ),
        _ => (
            Message::new("check-module-unreachable").message("detail", detail),
            Action::Wait,
        ),
    }
}

/// `docket-graph`'s token source over the token manager.
pub(crate) struct Tokens<'a>(pub(crate) &'a TokenManager);

impl TokenSource for Tokens<'_> {
    async fn access_token(
        &self,
        rejected: Option<&SecretString>,
    ) -> Result<SecretString, TokenError> {
        let token = match rejected {
            // Once per rejected token: concurrent 401s share one refresh.
            Some(rejected) => self.0.force_refresh(rejected.expose_secret()).await,
            None => self.0.access_token().await,
        };
        token
            .map(|t| SecretString::new(t.expose_secret()))
            .map_err(|e| Box::new(e) as TokenError)
    }
}

/// The same signed-in identity (ids are GUIDs: case does not matter).
pub(crate) fn same_account(a: &Account, b: &Account) -> bool {
    a.object_id.eq_ignore_ascii_case(&b.object_id)
        && a.tenant_id.eq_ignore_ascii_case(&b.tenant_id)
        && a.username.eq_ignore_ascii_case(&b.username)
}

pub(crate) fn account_of(r: &AccountRecord) -> Account {
    Account {
        object_id: r.object_id.clone(),
        tenant_id: r.tenant_id.clone(),
        username: r.username.clone(),
        name: r.display_name.clone(),
    }
}

impl App {
    /// The stored account, if it belongs to the configured tenant + app.
    pub(crate) fn current_account(&self) -> Result<Option<AccountRecord>, AppError> {
        let record = self.db().account()?;
        Ok(record.filter(|r| self.is_ours(r)))
    }

    pub(crate) fn is_ours(&self, r: &AccountRecord) -> bool {
        r.tenant.eq_ignore_ascii_case(&self.auth.config.tenant)
            && r.client_id
                .eq_ignore_ascii_case(&self.auth.config.client_id)
    }

    /// The held token manager of `record`'s account (a new one when the
    /// account changed or none is held yet).
    pub(crate) fn manager(&self, record: &AccountRecord) -> Arc<TokenManager> {
        let mut held = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let account = account_of(record);
        if let Some(m) = held
            .as_ref()
            .filter(|m| same_account(m.account(), &account))
        {
            return m.clone();
        }
        let m = Arc::new(
            TokenManager::new(self.auth.clone(), account, self.paths.token_lock_file())
                .with_clock(self.clock()),
        );
        *held = Some(m.clone());
        m
    }

    /// Keep the sign-in's time on `clock` (the background loop's) instead
    /// of the wall clock: the loop compares the token manager's refresh
    /// times with its own `now` (keep-alive, inactivity warning). The
    /// companion calls this when it starts.
    pub fn use_clock(&self, clock: Arc<dyn crate::schedule::Clock>) {
        *self.clock.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(move || clock.now());
        // A manager made before keeps the old clock: the next is made anew
        // (it reads the refresh token from the store; the access token is
        // fetched again once).
        self.hold(None);
    }

    pub(crate) fn clock(&self) -> docket_auth::tokens::Now {
        self.clock.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Hold `manager` (a sign-in's), or none (sign-out).
    pub(crate) fn hold(&self, manager: Option<Arc<TokenManager>>) {
        *self.tokens.lock().unwrap_or_else(|e| e.into_inner()) = manager;
    }

    /// Whose mailbox an export for `record` writes to.
    pub(crate) fn owner_of(&self, record: &AccountRecord) -> docket_store::ExportOwner {
        docket_store::ExportOwner {
            tenant_id: record.tenant_id.clone(),
            object_id: record.object_id.clone(),
            graph_base_url: self.config().microsoft.graph_base_url.to_string(),
        }
    }

    pub(crate) async fn me(&self, tokens: &TokenManager) -> Result<Option<String>, AppError> {
        let graph = GraphClient::new(
            self.auth.http.clone(),
            Options::new(self.config().microsoft.graph_base_url.clone()),
            Tokens(tokens),
        );
        let me = graph.get_json("/me").await?;
        Ok(me
            .get("displayName")
            .and_then(|v| v.as_str())
            .map(str::to_string))
    }

    /// Sign in through the browser. `on_url` receives the sign-in URL
    /// (print it for copy-paste); `browser` opens it. Re-authenticates
    /// when an account is stored: only that account is accepted.
    pub async fn sign_in(
        &self,
        browser: &dyn Browser,
        on_url: impl FnOnce(&str),
    ) -> Result<SignInReport, AppError> {
        self.sign_in_cancellable(browser, on_url, std::future::pending())
            .await
    }

    /// [`App::sign_in`] with a cancel signal (the tray's Cancel button):
    /// when `cancel` completes (e.g. `CancellationToken::cancelled()` or a
    /// `watch` receiver's `changed()`), the wait for the browser ends with
    /// the code `signin.cancelled` and the port is freed.
    pub async fn sign_in_cancellable(
        &self,
        browser: &dyn Browser,
        on_url: impl FnOnce(&str),
        cancel: impl std::future::Future<Output = ()>,
    ) -> Result<SignInReport, AppError> {
        let stored = self.db().account()?;
        let previous = stored.as_ref().filter(|r| self.is_ours(r));
        let reauth = previous.map(account_of);
        let signed_in = docket_auth::signin::sign_in(
            &self.auth,
            reauth.as_ref(),
            self.paths.token_lock_file(),
            browser,
            on_url,
            cancel,
        )
        .await
        .map_err(AppError::SignIn)?;
        let account = signed_in.account.clone();
        let at = signed_in.signed_in_at;
        // An account of another tenant/app (the configuration changed):
        // its secrets go; this computer serves one account.
        if let Some(old) = stored.as_ref().filter(|r| !self.is_ours(r)) {
            if let Err(e) = docket_secrets::delete_account(
                self.secret_store(),
                &old.tenant,
                &old.client_id,
                &old.username.to_ascii_lowercase(),
            ) {
                tracing::warn!(error = %e, "could not remove the previous configuration's sign-in");
            }
        }
        let mut record = AccountRecord {
            tenant: self.auth.config.tenant.clone(),
            client_id: self.auth.config.client_id.clone(),
            username: account.username.clone(),
            object_id: account.object_id.clone(),
            tenant_id: account.tenant_id.clone(),
            display_name: account.name.clone(),
            signed_in_at: at,
            last_good_refresh_at: Some(at),
            // The learned window belongs to the tenant's policy: keep it.
            sign_in_frequency_seconds: previous.and_then(|p| p.sign_in_frequency_seconds),
            last_problem: None,
            // What was told stays told (a standing warning is not told
            // again because the user signed in again), but for the
            // problems, which the new sign-in ends.
            notified: previous
                .and_then(|p| p.notified.as_deref())
                .and_then(docket_store::still_told),
        };
        // The export state is this mailbox's, or it goes in the same
        // transaction that saves the account (with the source caches). An
        // export still running (of the account before) must not write its
        // ids into the state claimed here: wait for it to end.
        let export =
            export_lock::ExportLock::acquire(self.paths.export_lock_file(), ACCOUNT_CHANGE_WAIT)
                .await?;
        let claim = self
            .db()
            .save_account_claiming(&record, &self.owner_of(&record))?;
        self.delete_stale_source_caches()?;
        drop(export);
        tracing::info!(user = %account.username, reauth = reauth.is_some(), ?claim, "signed in");
        let tokens = Arc::new(
            TokenManager::new(
                self.auth.clone(),
                account_of(&record),
                self.paths.token_lock_file(),
            )
            .with_clock(self.clock())
            .with_access_token(signed_in.access_token),
        );
        self.hold(Some(tokens.clone()));
        if let Some(name) = self.me(&tokens).await? {
            record.display_name = Some(name);
            self.db().save_account(&record)?;
        }
        Ok(SignInReport {
            username: record.username,
            display_name: record.display_name,
            signed_in_at: at,
            reauthenticated: reauth.is_some(),
        })
    }

    /// Remove every stored secret of the signed-in account and the account
    /// itself. Returns who was signed out (`None`: nobody was).
    pub fn sign_out(&self) -> Result<Option<String>, AppError> {
        let Some(record) = self.db().account()? else {
            return Ok(None);
        };
        docket_secrets::delete_account(
            self.secret_store(),
            &record.tenant,
            &record.client_id,
            &record.username.to_ascii_lowercase(),
        )
        .map_err(AppError::SecretStore)?;
        self.hold(None);
        // Not while an export runs: it would write this mailbox's ids into
        // the state after it was dropped.
        let _export = export_lock::ExportLock::acquire_blocking(
            self.paths.export_lock_file(),
            ACCOUNT_CHANGE_WAIT,
        )?;
        // One transaction: the account and its export state go together
        // (the next account must never be matched against this mailbox's
        // ids), and the source caches, which hold this fee-earner's PMS
        // data, are marked stale and then deleted.
        self.db().sign_out()?;
        self.delete_stale_source_caches()?;
        tracing::info!(user = %record.username, "signed out");
        Ok(Some(record.username))
    }

    /// The sign-in status at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> Result<Status, AppError> {
        let account = self.current_account()?;
        let store = self.secret_store();
        let token = match &account {
            None => status::TokenState::None,
            Some(r) => match store.get(&self.auth.config.refresh_token_key(&account_of(r))) {
                Ok(Some(_)) => status::TokenState::Present,
                Ok(None) => status::TokenState::Missing,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the refresh token");
                    status::TokenState::Unreadable
                }
            },
        };
        let confidential = self.config().microsoft.client_type == ClientType::Confidential;
        let client_secret_stored = confidential
            && matches!(
                store.get(&self.auth.config.client_secret_key()),
                Ok(Some(_))
            );
        let input = status::Input {
            account,
            token,
            keep_alive_every: chrono::Duration::hours(i64::from(
                self.config().policy.keep_alive_hours,
            )),
            confidential: confidential.then_some(self.config().microsoft.client_secret_expires),
            client_secret_stored,
            secret_store: status::SecretStoreInfo {
                kind: if store.plaintext_message().is_some() {
                    "plaintext_file"
                } else {
                    "keyring"
                },
                location: store.location(),
            },
            last_export: self
                .db()
                .export_meta(LAST_EXPORT)?
                .and_then(|json| serde_json::from_str(&json).ok()),
        };
        Ok(status::decide(input, now))
    }

    /// Remember the notifications `keys` (from [`Status::notify`]) as shown
    /// and standing, so they are not shown again while they stand (one
    /// key a line; none: `NULL`).
    pub fn mark_notified(&self, keys: &[String]) -> Result<(), AppError> {
        let joined = keys.join("\n");
        Ok(self
            .db()
            .set_notified(Some(joined.as_str()).filter(|j| !j.is_empty()))?)
    }

    /// Refresh the sign-in now and call Graph `/me`; record the good
    /// refresh, or the classified problem (at `now`).
    pub async fn check(&self, now: DateTime<Utc>) -> Result<CheckReport, AppError> {
        let record = self.current_account()?.ok_or(AppError::NotSignedIn)?;
        let tokens = self.manager(&record);
        let refreshed = match tokens.refresh().await {
            Ok(r) => r,
            Err(e) => {
                let err = AppError::Refresh(e);
                self.record_sign_in_problem(&err, now)?;
                tracing::warn!(code = err.code(), "refreshing the sign-in failed");
                return Err(err);
            }
        };
        self.db().record_good_refresh(refreshed.at)?;
        let display_name = self.me(&tokens).await?.or(record.display_name);
        let modules = self.test_modules(&tokens).await;
        Ok(CheckReport {
            username: record.username,
            display_name,
            refreshed_at: refreshed.at,
            modules,
        })
    }

    /// Remember a classified sign-in problem (the status shows it and its
    /// fix; a sign-in frequency policy's window is learned from it).
    pub(crate) fn record_sign_in_problem(
        &self,
        err: &AppError,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        if let Some(p) = err.problem() {
            let window = learned_sign_in_frequency(p).map(|d| d.num_seconds());
            self.db().record_problem(
                &ProblemRecord {
                    code: p.code.to_string(),
                    aadsts: p.aadsts,
                    at: now,
                },
                window,
            )?;
        }
        Ok(())
    }

    /// Read one resource per switched-on module: a 403 names the delegated
    /// permission that is missing (Graph's permission reference:
    /// https://learn.microsoft.com/en-us/graph/permissions-reference).
    pub(crate) async fn test_modules(&self, tokens: &TokenManager) -> Vec<ModuleCheck> {
        let graph = GraphClient::new(
            self.auth.http.clone(),
            Options::new(self.config().microsoft.graph_base_url.clone()),
            Tokens(tokens),
        );
        let m = &self.config().modules;
        let probes = [
            (
                m.calendar,
                "calendar",
                "Calendars.ReadWrite",
                "/me/calendar",
            ),
            (m.tasks, "tasks", "Tasks.ReadWrite", "/me/todo/lists?$top=1"),
            (
                m.contacts,
                "contacts",
                "Contacts.ReadWrite",
                "/me/contactFolders?$top=1",
            ),
        ];
        let mut out = vec![];
        for (on, module, scope, url) in probes {
            if !on {
                continue;
            }
            let failure = match graph.get_json(url).await {
                Ok(_) => None,
                Err(e) => Some(module_failure(
                    scope,
                    e.status(),
                    crate::error::graph_reason(&e),
                )),
            };
            out.push(ModuleCheck {
                module,
                ok: failure.is_none(),
                scope,
                action: failure.as_ref().map(|f| f.1.clone()),
                problem: failure.map(|f| f.0),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_text::{Action, Lang, Texts, Who};

    /// (status, English, German, who fixes it).
    fn check(status: Option<u16>, expect: (&str, &str, Who)) {
        let timed_out = docket_graph::Error::Transport(docket_graph::Unreachable::TimedOut {
            detail: "operation timed out".into(),
        });
        let reason = crate::error::graph_reason(&timed_out);
        let (m, action) = module_failure("Tasks.ReadWrite", status, reason);
        let en = Texts::new(Lang::En).render_full(&m);
        let de = Texts::new(Lang::De).render_full(&m);
        assert!(en.starts_with(expect.0), "{en}");
        assert!(de.starts_with(expect.1), "{de}");
        assert_eq!(action.who(), expect.2, "{action:?}");
    }

    #[test]
    fn a_module_that_cannot_be_read_says_why_in_both_languages() {
        check(
            Some(403),
            (
                "The permission Tasks.ReadWrite is missing: IT adds it",
                "Die Berechtigung Tasks.ReadWrite fehlt: Die IT fügt sie",
                Who::Admin,
            ),
        );
        check(
            Some(401),
            ("The permission", "Die Berechtigung", Who::Admin),
        );
        // Why, in our words in the reader's language, once (it read
        // "…konnte nicht gefragt werden: could not reach Microsoft Graph:
        // timed out (…)"); the system's own words stay as received.
        check(
            None,
            (
                "Microsoft Graph could not be asked: no answer in time: operation timed out: Docket Sync tries again later.",
                "Microsoft Graph konnte nicht gefragt werden: keine Antwort in der erwarteten Zeit: operation timed out: Docket Sync versucht es später erneut.",
                Who::Nobody,
            ),
        );
        assert_eq!(
            module_failure("x", Some(500), docket_text::Message::new("graph-not-sent")).1,
            Action::Wait
        );
    }

    /// A check is OK only when no module failed (it said `"ok": true`
    /// while contacts lacked their permission and the exit code was 3).
    #[test]
    fn a_check_is_ok_only_when_every_module_is() {
        #[track_caller]
        fn check(modules: &[bool], expect: bool) {
            let report = CheckReport {
                username: "anna@example.org".into(),
                display_name: None,
                refreshed_at: DateTime::<Utc>::UNIX_EPOCH,
                modules: modules
                    .iter()
                    .map(|&ok| ModuleCheck {
                        module: "calendar",
                        ok,
                        scope: "Calendars.ReadWrite",
                        problem: None,
                        action: None,
                    })
                    .collect(),
            };
            assert_eq!(report.ok(), expect, "{modules:?}");
        }
        check(&[true, true, true], true);
        check(&[true, true, false], false);
        check(&[false], false);
        // Every module switched off: nothing failed.
        check(&[], true);
    }
}

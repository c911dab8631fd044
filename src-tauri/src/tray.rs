//! The tray icon and its menu, rendered from the companion's snapshot and
//! changed in place (on Linux a tray's menu cannot be replaced, only its
//! content changed).
//!
//! The first line is disabled and says the state and the time of the last
//! good export ("In step · 14:32"): appindicator on Linux has no tooltip
//! and no click; the tooltip says the same on Windows and macOS.

use std::sync::Mutex;

use docket_app::snapshot::{Activity, ProblemView, Snapshot, TrayState};
use docket_app::{Action, Texts};
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Runtime};

/// Menu item ids (what `on_menu_event` receives).
pub mod id {
    pub const STATUS: &str = "status";
    pub const EXPORT: &str = "export";
    pub const SIGN_IN: &str = "sign-in";
    pub const PAUSE: &str = "pause";
    pub const OPEN: &str = "open";
    pub const LOGS: &str = "logs";
    pub const QUIT: &str = "quit";
}

/// What the tray shows, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuModel {
    pub icon: TrayState,
    /// The disabled first line and the tooltip.
    pub status_line: String,
    /// "Sign in" / "Sign in again" while the snapshot asks for a sign-in.
    pub sign_in: Option<String>,
    /// "Pause", or "Resume" while paused.
    pub pause: String,
    pub export: String,
    /// Whether Export now can act: the snapshot's `can_export` (not before
    /// the first sign-in), never while the app could not start.
    pub export_enabled: bool,
    /// Whether Pause can act: not while the app could not start, where a
    /// click would do nothing.
    pub pause_enabled: bool,
    pub open: String,
    pub logs: String,
    pub quit: String,
}

/// The menu for `snapshot`, in `texts`' language (the snapshot's). It
/// decides nothing: the sign-in item is there while a problem's fix is
/// signing in, the pause item says Resume while the loop is paused.
pub fn model(snapshot: &Snapshot, texts: &Texts) -> MenuModel {
    let wants_sign_in = snapshot
        .problems
        .iter()
        .any(|p| p.action.action == Action::SignIn);
    let sign_in = wants_sign_in.then(|| {
        texts.word(if snapshot.account.is_some() {
            "tray-menu-sign-in-again"
        } else {
            "tray-menu-sign-in"
        })
    });
    let paused = matches!(snapshot.activity, Activity::Paused);
    MenuModel {
        icon: snapshot.tray,
        status_line: snapshot.status_line.clone(),
        sign_in,
        pause: texts.word(if paused {
            "tray-menu-resume"
        } else {
            "tray-menu-pause"
        }),
        export: texts.word("tray-menu-export-now"),
        export_enabled: snapshot.can_export,
        pause_enabled: true,
        open: texts.word("tray-menu-open-window"),
        logs: texts.word("tray-menu-open-log"),
        quit: texts.word("tray-menu-quit"),
    }
}

/// The menu when the app could not start (no configuration, a locked
/// keyring …): the problem's headline as the status line, the icon of
/// whoever must act; the window says the rest. Export now and Pause are
/// shown disabled: there is nothing to export or pause.
pub fn model_without_app(problem: &ProblemView, texts: &Texts) -> MenuModel {
    MenuModel {
        icon: TrayState::of_who(problem.who),
        status_line: problem.headline.clone(),
        sign_in: None,
        pause: texts.word("tray-menu-pause"),
        export: texts.word("tray-menu-export-now"),
        export_enabled: false,
        pause_enabled: false,
        open: texts.word("tray-menu-open-window"),
        logs: texts.word("tray-menu-open-log"),
        quit: texts.word("tray-menu-quit"),
    }
}

/// The tray, kept to change it in place.
pub struct Tray<R: Runtime> {
    icon: TrayIcon<R>,
    menu: Menu<R>,
    status: MenuItem<R>,
    export: MenuItem<R>,
    sign_in: MenuItem<R>,
    pause: MenuItem<R>,
    open: MenuItem<R>,
    logs: MenuItem<R>,
    quit: MenuItem<R>,
    shown: Mutex<Option<MenuModel>>,
}

/// Where the sign-in item goes when it is shown (after status, separator,
/// Export now).
const SIGN_IN_POSITION: usize = 3;

impl<R: Runtime> Tray<R> {
    pub fn build(
        app: &AppHandle<R>,
        first: &MenuModel,
        on_menu: impl Fn(&AppHandle<R>, &str) + Send + Sync + 'static,
    ) -> tauri::Result<Tray<R>> {
        let item = |id: &str, text: &str, enabled: bool| {
            MenuItem::with_id(app, id, text, enabled, None::<&str>)
        };
        let status = item(id::STATUS, &first.status_line, false)?;
        let export = item(id::EXPORT, &first.export, first.export_enabled)?;
        let sign_in = item(id::SIGN_IN, first.sign_in.as_deref().unwrap_or(""), true)?;
        let pause = item(id::PAUSE, &first.pause, first.pause_enabled)?;
        let open = item(id::OPEN, &first.open, true)?;
        let logs = item(id::LOGS, &first.logs, true)?;
        let quit = item(id::QUIT, &first.quit, true)?;
        let menu = Menu::with_items(
            app,
            &[
                &status,
                &PredefinedMenuItem::separator(app)?,
                &export,
                &pause,
                &PredefinedMenuItem::separator(app)?,
                &open,
                &logs,
                &PredefinedMenuItem::separator(app)?,
                &quit,
            ],
        )?;
        if first.sign_in.is_some() {
            menu.insert(&sign_in, SIGN_IN_POSITION)?;
        }
        let icon = TrayIconBuilder::with_id("docket-sync")
            .icon(Image::from_bytes(crate::icons::png(first.icon))?)
            .tooltip(&first.status_line)
            .menu(&menu)
            .show_menu_on_left_click(true)
            .on_menu_event(move |app, event| on_menu(app, event.id().as_ref()))
            .build(app)?;
        Ok(Tray {
            icon,
            menu,
            status,
            export,
            sign_in,
            pause,
            open,
            logs,
            quit,
            shown: Mutex::new(Some(first.clone())),
        })
    }

    /// Show `model`, changing only what differs from what is shown.
    pub fn show(&self, model: &MenuModel) -> tauri::Result<()> {
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        let old = shown.take();
        let differs = |f: fn(&MenuModel) -> &String| old.as_ref().is_none_or(|o| f(o) != f(model));
        if old.as_ref().is_none_or(|o| o.icon != model.icon) {
            self.icon
                .set_icon(Some(Image::from_bytes(crate::icons::png(model.icon))?))?;
        }
        if differs(|m| &m.status_line) {
            self.status.set_text(&model.status_line)?;
            self.icon.set_tooltip(Some(&model.status_line))?;
        }
        for (item, f) in [
            (
                &self.export,
                (|m: &MenuModel| &m.export) as fn(&MenuModel) -> &String,
            ),
            (&self.pause, |m| &m.pause),
            (&self.open, |m| &m.open),
            (&self.logs, |m| &m.logs),
            (&self.quit, |m| &m.quit),
        ] {
            if differs(f) {
                item.set_text(f(model))?;
            }
        }
        if old
            .as_ref()
            .is_none_or(|o| o.export_enabled != model.export_enabled)
        {
            self.export.set_enabled(model.export_enabled)?;
        }
        if old
            .as_ref()
            .is_none_or(|o| o.pause_enabled != model.pause_enabled)
        {
            self.pause.set_enabled(model.pause_enabled)?;
        }
        let was = old.as_ref().and_then(|o| o.sign_in.clone());
        match (&was, &model.sign_in) {
            (None, Some(label)) => {
                self.sign_in.set_text(label)?;
                self.menu.insert(&self.sign_in, SIGN_IN_POSITION)?;
            }
            (Some(_), None) => self.menu.remove(&self.sign_in)?,
            (Some(a), Some(b)) if a != b => self.sign_in.set_text(b)?,
            _ => {}
        }
        *shown = Some(model.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_app::snapshot::fixtures::{at, input, status};
    use docket_app::snapshot::{decide, ActionView};
    use docket_app::status::SignInState;
    use docket_app::{Lang, Who};

    #[test]
    fn the_menu_of_a_snapshot() {
        #[track_caller]
        fn check(signed_in: bool, expect: (Option<&str>, bool)) {
            let texts = crate::texts::texts(Lang::En);
            let idle = Activity::Idle {
                next_run: at(15, 15),
            };
            let snapshot = decide(
                input(status(SignInState::Ok, signed_in), idle, vec![]),
                &texts,
                at(15, 0),
            );
            let m = model(&snapshot, &texts);
            assert_eq!((m.sign_in.as_deref(), m.export_enabled), expect);
            assert!(m.pause_enabled, "Pause acts whenever the app runs");
        }
        // Before the first sign-in Export now is greyed out: it ran an
        // export that could only end "not signed in".
        check(false, (Some("Sign in"), false));
        check(true, (None, true));
    }

    fn problem(who: Who, action: Action) -> ProblemView {
        ProblemView {
            code: "test".into(),
            who,
            headline: "The headline".into(),
            body: String::new(),
            action: ActionView {
                invocable: action.invocable(),
                label: String::new(),
                action,
            },
            at: None,
        }
    }

    fn check(problem: ProblemView, expect: (TrayState, bool)) {
        let texts = crate::texts::texts(Lang::En);
        let m = model_without_app(&problem, &texts);
        assert_eq!((m.icon, m.export_enabled), expect, "{problem:?}");
        assert_eq!(m.pause_enabled, expect.1, "{problem:?}");
        assert_eq!(m.status_line, problem.headline);
        assert_eq!(m.sign_in, None);
    }

    #[test]
    fn without_the_app_export_and_pause_are_disabled() {
        // They were enabled and a click did nothing: there is no companion
        // to export or pause until the configuration or keyring is fixed.
        check(
            problem(
                Who::Admin,
                Action::EditConfig {
                    key: "tenant".into(),
                },
            ),
            (TrayState::NeedsAdmin, false),
        );
        check(
            problem(Who::User, Action::UnlockKeyring),
            (TrayState::NeedsUser, false),
        );
    }
}

# The tray companion's own words: the menu, the icon's tooltip, the status
# window's headings and buttons, notifications' action labels.
# Problem headlines and explanations come from the other areas.

## The menu.
tray-menu-export-now = Export now
tray-menu-sign-in = Sign in
tray-menu-sign-in-again = Sign in again
tray-menu-pause = Pause
tray-menu-resume = Resume
tray-menu-open-window = Open status window
tray-menu-open-log = Open log folder
tray-menu-quit = Quit

## The status window.
tray-window-title = Docket Sync
tray-first-run-heading = Welcome to Docket Sync
tray-first-run-body = Sign in once with your work account. Docket Sync then keeps your calendar, tasks and contacts in step with the practice-management system.
tray-sign-in-microsoft = Sign in with Microsoft
tray-cancel = Cancel
tray-waiting-browser = Finish the sign-in in your browser. This window updates by itself.
tray-account = Account
tray-account-signed-in-as = Signed in as { $user }
tray-account-since = since { $time }
tray-account-last-refresh = Sign-in last confirmed { $time }
tray-account-next-sign-in = Next sign-in required { $time }
tray-modules = In Outlook
tray-module-on = On
tray-module-off = Off
tray-module-ok = Working
tray-module-items = { $n ->
    [one] 1 item in step
   *[other] { $n } items in step
}
tray-module-last-run = Last export { $time }
tray-module-next-run = Next export { $time }
tray-problems = Needs attention
# Before a problem's stable code on its card ("Code: config.invalid"): the fix "Ask your IT, quoting the code" needs it shown.
tray-problem-code = Code
tray-no-problems = Nothing needs your attention.
tray-recent-runs = Recent exports
tray-settings = Settings
tray-settings-firm = Set by your firm
tray-setting-modules = What goes into Outlook
tray-setting-interval = Minutes between exports
tray-setting-start-at-login = Start at login
tray-setting-language = Language
tray-language-system = Like the system
tray-language-en = English
tray-language-de = Deutsch
tray-saved = Saved.

# Die eigenen Wörter der Tray-Anwendung: Menü, Tooltip des Symbols,
# Überschriften und Schaltflächen des Statusfensters.

## Das Menü.
tray-menu-export-now = Jetzt exportieren
tray-menu-sign-in = Anmelden
tray-menu-sign-in-again = Erneut anmelden
tray-menu-pause = Anhalten
tray-menu-resume = Fortsetzen
tray-menu-open-window = Statusfenster öffnen
tray-menu-open-log = Protokollordner öffnen
tray-menu-quit = Beenden

## Das Statusfenster.
tray-window-title = Docket Sync
tray-first-run-heading = Willkommen bei Docket Sync
tray-first-run-body = Melden Sie sich einmal mit Ihrem Arbeitskonto an. Danach hält Docket Sync Ihren Kalender, Ihre Aufgaben und Kontakte mit der Kanzleisoftware abgeglichen.
tray-sign-in-microsoft = Mit Microsoft anmelden
tray-cancel = Abbrechen
tray-waiting-browser = Schließen Sie die Anmeldung im Browser ab. Dieses Fenster aktualisiert sich von selbst.
tray-account = Konto
tray-account-signed-in-as = Angemeldet als { $user }
tray-account-since = seit { $time }
tray-account-last-refresh = Anmeldung zuletzt bestätigt { $time }
tray-account-next-sign-in = Nächste Anmeldung nötig { $time }
tray-modules = In Outlook
tray-module-on = Ein
tray-module-off = Aus
tray-module-ok = Funktioniert
tray-module-items = { $n ->
    [one] 1 Eintrag abgeglichen
   *[other] { $n } Einträge abgeglichen
}
tray-module-last-run = Letzter Export { $time }
tray-module-next-run = Nächster Export { $time }
tray-problems = Bitte beachten
# Vor dem festen Code eines Problems auf seiner Karte ("Code: config.invalid"): "Wenden Sie sich mit dem Code an Ihre IT" braucht ihn sichtbar.
tray-problem-code = Code
tray-no-problems = Nichts erfordert Ihre Aufmerksamkeit.
tray-recent-runs = Letzte Exporte
tray-settings = Einstellungen
tray-settings-firm = Von der Kanzlei festgelegt
tray-setting-modules = Was nach Outlook kommt
tray-setting-interval = Minuten zwischen zwei Exporten
tray-setting-start-at-login = Bei der Anmeldung starten
tray-setting-language = Sprache
tray-language-system = Wie das System
tray-language-en = English
tray-language-de = Deutsch
tray-saved = Gespeichert.

# Die eigenen Wörter der Kommandozeile: ihre Befehle und die Behebungen,
# die sie als Befehl nennen kann. Alles andere kommt aus den Katalogen von
# docket-text.

cli-action-sign-in = führen Sie `docketsync signin` aus
cli-action-export-now = führen Sie `docketsync sync` aus
cli-action-retry-held-back = führen Sie `docketsync sync --retry-now` aus
cli-action-allow-deletions = führen Sie `docketsync sync --force` aus
cli-action-resume = wählen Sie Fortsetzen im Menü von Docket Sync im Infobereich (`docketsync run` hält eine dort gewählte Pause ein)
cli-action-test-again = führen Sie `docketsync doctor` erneut aus
cli-action-open-log = senden Sie die neueste Datei im Protokollordner an Ihre IT (`docketsync doctor` nennt den Ordner)
cli-action-open-status = siehe `docketsync status`
# Der Code steht in dieser Ausgabe (doctor zeigt keinen eigenen).
cli-action-ask-admin = Wenden Sie sich mit dieser Ausgabe an Ihre IT
cli-action-set-client-secret = IT: einen neuen geheimen Clientschlüssel mit `docketsync client-secret set` hinterlegen
cli-action-set-source-credential = IT: die Zugangsdaten des Kanzleisoftware-Servers mit `docketsync source-credential set` hinterlegen
cli-action-change-setting = ändern Sie { $key } in Ihrer eigenen Konfigurationsdatei (`docketsync doctor` zeigt, wo sie liegt)

cli-fix = Behebung
cli-error = Fehler

cli-signin-open = Ihr Browser wird zur Anmeldung geöffnet. Falls nicht, kopieren Sie diese Adresse in einen Browser auf diesem Computer:
cli-signin-no-browser = Öffnen Sie zur Anmeldung diese Adresse in einem Browser auf diesem Computer:
cli-signin-waiting = Warten auf den Abschluss der Anmeldung (Strg-C bricht ab) …
cli-signin-cancelled = Die Anmeldung wurde abgebrochen; nichts wurde geändert.
cli-signin-done = Angemeldet als { $who }.
cli-signin-again = Angemeldet als { $who } (erneut angemeldet).

cli-signout-done = { $user } ist abgemeldet; die Anmeldung wurde aus { $location } entfernt.
cli-signout-none = Nicht angemeldet; nichts zu entfernen.

# `docketsync run`: seine erste Zeile ($state: die Statuszeile, „Aktuell · 14:32“;
# sie kann auf „…“ enden, daher folgt ihr kein Punkt)
# und der Kopf einer Benachrichtigung vor ihrem Text.
cli-run-started = Docket Sync: { $state } · { $minutes ->
    [one] Export jede Minute; Strg-C beendet.
   *[other] Export alle { $minutes } Minuten; Strg-C beendet.
}
cli-run-paused = Docket Sync: { $state } · Der Export wurde im Infobereich angehalten: wählen Sie dort im Menü Fortsetzen und starten Sie diesen Befehl dann neu; Strg-C beendet.
cli-run-notice = Hinweis: { $title }

cli-check-ok = OK: angemeldet als { $user }; die Anmeldung wurde erneuert und Microsoft Graph hat geantwortet.

cli-client-secret-prompt = Fügen Sie den Wert des geheimen Clientschlüssels ein (Azure-Portal → App-Registrierungen → Zertifikate & Geheimnisse; wird nicht angezeigt) und drücken Sie die Eingabetaste:
cli-client-secret-stored = Der geheime Clientschlüssel wurde in { $location } hinterlegt.
cli-source-credential-prompt-token = Fügen Sie das Token des Kanzleisoftware-Servers ein (wird nicht angezeigt) und drücken Sie die Eingabetaste:
cli-source-credential-prompt-password = Passwort von „{ $user }“ auf dem Kanzleisoftware-Server (wird nicht angezeigt), dann Eingabetaste:
cli-source-credential-stored = Die Zugangsdaten der Kanzleisoftware wurden in { $location } hinterlegt.
cli-runtime-failed = die asynchrone Laufzeitumgebung lässt sich nicht starten: { $error }
cli-secret-unreadable = Das Geheimnis kann nicht von der Standardeingabe gelesen werden: { $error }

# `docketsync status`
cli-status-account = Konto
cli-status-signed-in = angemeldet
cli-status-last-refresh = zuletzt erneuert
cli-status-next-sign-in = nächste Anmeldung nötig
cli-status-modules = Bereiche
cli-status-module-off = aus
cli-status-module-in-step = { $n ->
    [one] 1 Eintrag aktuell
   *[other] { $n } Einträge aktuell
}
cli-status-problems = Zu erledigen
cli-status-warnings = Demnächst
cli-status-last-run = Letzter Export
cli-status-next-run = Nächster Export
cli-status-next-retry = Nächster Versuch
cli-status-planned = geplant { $time } von Docket Sync im Hintergrund
cli-status-not-planned = unbekannt: kein Export im Hintergrund hat einen geplant
cli-status-earlier-runs = Frühere Exporte
cli-status-secrets = Anmeldung gespeichert in

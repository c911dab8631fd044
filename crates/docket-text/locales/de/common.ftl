# Wörter, die jede Oberfläche braucht: wer handeln muss, und die Behebung
# als Aktion.

who-user = Sie
who-admin = Ihre IT
who-nobody = Niemand

action-sign-in = Erneut anmelden
action-export-now = Jetzt exportieren
action-retry-held-back = Pausierte Einträge jetzt versuchen
action-allow-deletions = Diese Löschungen zulassen
action-resume = Fortsetzen
action-test-again = Erneut prüfen
action-open-log = Protokollordner öffnen
action-open-status = Statusfenster öffnen
action-wait = Nichts zu tun: Docket Sync versucht es selbst erneut
action-check-network = Netzwerkverbindung prüfen
action-unlock-keyring = Schlüsselbund des Systems entsperren (oder normal am Computer anmelden)
action-provide-keyring = IT: einen Schlüsselbund bereitstellen (oder die Token-Datei erlauben)
action-grant-consent = IT: der App die Administratorzustimmung erteilen
action-fix-app-registration = IT: die App-Registrierung in Entra ID korrigieren
action-set-client-secret = IT: einen neuen geheimen Clientschlüssel hinterlegen
action-set-source-credential = IT: die Zugangsdaten des Kanzleisoftware-Servers hinterlegen
action-edit-config = IT: { $key } in der Konfigurationsdatei ändern
action-change-setting = { $key } in Ihren Einstellungen ändern (oder in Ihrer eigenen Konfigurationsdatei)
action-check-source = IT: den Server oder Exportordner der Kanzleisoftware prüfen
action-correct-records = Diese Datensätze in der Kanzleisoftware korrigieren
action-ask-admin = Wenden Sie sich mit dem Code an Ihre IT

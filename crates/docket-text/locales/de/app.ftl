# Fehler der App selbst (kein eingeordnetes Anmeldeproblem): eine
# Nachricht je Code, Wert = Überschrift, .body = was geschah.

error-config-paths = Docket Sync findet seine Ordner nicht
    .body = Die Ordner für Einstellungen und Daten sind nicht nutzbar: { $detail }
error-config-invalid = Die Konfiguration hat { $count ->
        [one] einen Fehler
       *[other] { $count } Fehler
    }
    .body = { $detail }
# Ein Fehler unter error-config-invalid: wo, was, und seine Behebung.
error-config-problem = - { $place }: { $problem }
    {"  "}Behebung: { $fix }
error-config-problem-unplaced = - { $problem }
    {"  "}Behebung: { $fix }
# Der einzige Fehler: seine Behebung ist die des Fehlers, einmal darunter.
error-config-only-problem = - { $place }: { $problem }
error-config-only-problem-unplaced = - { $problem }
error-config-extra-ca-file = Die Zertifikatsdatei der Kanzlei ist nicht nutzbar
    .body = { $reason }
# Warum (das Detail ist der Text des Systems oder der TLS-Bibliothek, wie erhalten).
error-config-extra-ca-file-unreadable = Die in microsoft.extra_ca_file genannte Datei { $file } lässt sich nicht lesen: { $detail }
error-config-extra-ca-file-not-pem = Die in microsoft.extra_ca_file genannte Datei enthält kein nutzbares PEM-Zertifikat: { $detail }
error-config-extra-ca-file-client = Mit der in microsoft.extra_ca_file genannten Datei ließ sich keine sichere Verbindung zu Microsoft einrichten: { $detail }
error-pms-incomplete = Der Export der Kanzleisoftware ließ sich nicht vollständig lesen
    .body = Was er nicht liefern konnte, ist nicht in Outlook angekommen, und nichts, was darin fehlte, wurde gelöscht. Der letzte Lauf nennt, was sich nicht lesen ließ; der nächste Lauf versucht es erneut.
error-state-corrupt = Die Datenbank von Docket Sync ist beschädigt
    .body = { $detail }
error-state-unreadable = Die Datenbank von Docket Sync lässt sich nicht öffnen
    .body = { $detail }
error-state-too-new = Die Datenbank stammt von einer neueren Version
    .body = Ein neueres Docket Sync hat diese Datenbank geschrieben; diese Version kann sie nicht nutzen: { $detail }
error-state-error = Die Datenbank von Docket Sync meldet einen Fehler
    .body = { $detail }
error-signin-none = Nicht angemeldet
    .body = Melden Sie sich mit Ihrem Microsoft-Konto an, damit Docket Sync nach Outlook exportieren kann.
error-client-secret-public-client = Diese App hat keinen geheimen Clientschlüssel
    .body = Laut Konfiguration ist die App-Registrierung ein öffentlicher (Desktop-)Client ohne Geheimnis; es wurde nichts gespeichert.
error-client-secret-empty = Der geheime Clientschlüssel ist leer
    .body = Es wurde nichts gespeichert.
error-graph-unreachable = Microsoft 365 ist nicht erreichbar
    .body = { $detail }
error-graph-error = Microsoft 365 meldet einen Fehler
    .body = { $detail }
error-source-credential-not-used = Der Server der Kanzleisoftware braucht keine Zugangsdaten
    .body = Laut Konfiguration wird der Server der Kanzleisoftware ohne Zugangsdaten gelesen; es wurde nichts gespeichert.
error-source-credential-empty = Die Zugangsdaten der Kanzleisoftware sind leer
    .body = Es wurde nichts gespeichert.
error-sync-already-running = Es läuft bereits ein Export
    .body = Ein anderer Export für Sie läuft (im Hintergrund oder in einem Terminal); dieser hat { $seconds } s gewartet und nicht begonnen.
error-sync-lock-file = Die Sperrdatei des Exports ist nicht nutzbar
    .body = { $file }: { $detail }
error-source-demo-user-unknown = Die Demo-Kanzlei hat keine Daten für „{ $user }“
    .body = Melden Sie sich als eine der Demo-Personen an; die Anmeldeseite der Demo nennt sie.
error-sync-failed = Der Export wurde abgebrochen
    .body = { $reason }
# Warum (ein Detail ist der Text des Systems, wie erhalten).
error-sync-failed-source-stopped = Das Lesen der Kanzleisoftware brach vor dem Ende ab: { $detail }
error-sync-failed-task-list-no-id = Microsoft 365 hat die To-Do-Liste „Docket Sync“ angelegt, aber keine Kennung dafür zurückgegeben.
error-sync-failed-lock-task-stopped = Das Warten auf die Sperre des Exports brach ab: { $detail }

# Warum eine Anfrage an Microsoft Graph fehlschlug, nach dem, was
# fehlschlug: der Text von error-graph-*, ein fehlgeschlagener Eintrag
# eines Exports (sync-failed-graph), das Testlesen eines Moduls. Status,
# Code und Meldung von Microsoft und der Text des Systems (ein Detail)
# werden so weitergegeben, wie sie kamen.
graph-answered = Status { $status } { $code }
    .body = { $message }
graph-answered-status = Status { $status }
    .body = { $message }
graph-timed-out = keine Antwort in der erwarteten Zeit
    .body = { $detail }
graph-connection-failed = keine Verbindung
    .body = { $detail }
graph-answer-cut-off = die Antwort brach ab
    .body = { $detail }
graph-request-failed = die Anfrage schlug fehl
    .body = { $detail }
graph-not-a-url = die Adresse der Anfrage ist keine gültige URL
    .body = { $detail }
graph-answer-not-read = die Antwort war größer als { $size } und wurde nicht gelesen; die Änderung ist womöglich erfolgt
graph-not-sent = die Anfrage wurde nicht gesendet
graph-no-token = kein Zugriffstoken
    .body = { $detail }
graph-not-json = die Antwort ist kein gültiges JSON
    .body = { $detail }
graph-batch-item-missing = in der Sammelantwort fehlt die Antwort für Eintrag { $id }
graph-batch-item-status = Eintrag { $id } der Sammelanfrage wurde ohne gültigen HTTP-Status beantwortet
graph-too-large = die Antwort war größer als { $size } und wurde nicht gelesen
graph-too-many-pages = die Liste ging über mehr als { $pages } Seiten; das Lesen wurde beendet
graph-foreign-link = ein Link zeigte auf { $origin } statt auf die eingestellte Graph-Adresse; er wurde verworfen, dorthin wurde nichts gesendet

# Warum die Zustandsdatenbank nicht nutzbar ist: der Text von
# error-state-*. Ein Detail ist der Text von SQLite oder des Systems, wie erhalten.
database-damaged = { $file }: { $detail }. Legen Sie die Datei beiseite: Docket Sync legt eine neue an; melden Sie sich erneut an, dann liest der nächste Export Microsoft 365 neu ein.
database-unopenable = { $file }: { $detail }. Prüfen Sie, ob Ihr Benutzerkonto die Datei lesen und schreiben darf.
database-newer = { $file } hat Schema { $found }, diese Version kennt bis { $known }. Aktualisieren Sie Docket Sync oder legen Sie die Datei beiseite, um neu zu beginnen.
database-failed = { $file }: { $detail }

# Warum Docket Sync seine Ordner nicht findet: der Text von error-config-paths.
paths-no-home = Ihr Benutzerordner ist nicht auffindbar. Setzen Sie { $env } auf den Ordner, in dem Docket Sync seine Dateien ablegen soll.
paths-relative-home = { $env } ist { $path }, also kein vollständiger Pfad. Setzen Sie einen vollständigen Pfad.

# Desktop-Benachrichtigungen: kurzer Titel, darunter die Nachricht.
notify-sign-in-again = Docket Sync: bitte erneut anmelden
notify-admin-must-act = Docket Sync: Ihre IT muss handeln
notify-act-soon = Docket Sync: bald handeln
notify-export-failing = Docket Sync: der Export schlägt weiter fehl
notify-export-failing-detail = Der Export ist seit { $since } { $times }-mal nacheinander fehlgeschlagen
    .body = { $reason } Docket Sync versucht es weiter.
notify-back-in-step = Docket Sync: wieder auf dem Stand
notify-back-in-step-detail = Outlook ist wieder auf dem Stand
    .body = Das Problem ist behoben; der Export funktioniert wieder.

# Warnungen: bald ist etwas zu tun.
warning-inactivity-expiry = Ihre Anmeldung verfällt am { $on }
    .body = Die Anmeldung lässt sich seit einiger Zeit nicht erneuern; sie verfällt am { $on }, wenn Docket Sync Microsoft bis dahin nicht erreicht.
warning-sign-in-required = Bitte bis { $on } erneut anmelden
    .body = Ihre Organisation verlangt bis { $on } eine neue Anmeldung.
warning-client-secret-expiring = { $days ->
        [one] Der geheime Clientschlüssel der App läuft morgen ab
       *[other] Der geheime Clientschlüssel der App läuft in { $days } Tagen ab
    }
    .body = Danach kann in der Kanzlei niemand exportieren, bis die IT einen neuen hinterlegt.
warning-client-secret-expired = Der geheime Clientschlüssel der App ist abgelaufen
    .body = In der Kanzlei kann niemand exportieren, bis die IT einen neuen hinterlegt.
warning-client-secret-missing = Es ist kein geheimer Clientschlüssel hinterlegt
    .body = Die App-Registrierung der Kanzlei braucht auf diesem Computer einen geheimen Clientschlüssel.
error-unknown-problem = Die Anmeldung hat ein Problem, das diese Version nicht kennt
    .body = Microsoft meldete { $code }.

# Die Statuszeile im Infobereich: „Aktuell · 14:32“.
state-line = { $state } · { $time }
state-in-step = Aktuell
state-exporting = Exportiert…
# Angemeldet, und noch kein Export ist gelaufen (der erste kommt im Infobereich sofort).
state-not-exported = Noch nicht exportiert
state-needs-user = Bitte erneut anmelden
state-deletions-wait = Löschungen warten auf Sie
state-needs-admin = Ihre IT muss handeln
state-retrying = Neuer Versuch in Kürze
state-signed-out = Nicht angemeldet
state-paused = Angehalten

module-calendar = Kalender
module-tasks = Fristen und Wiedervorlagen
module-contacts = Kontakte

# Das Problem eines Moduls in seinem letzten Lauf (seine Zeile im Status).
module-items-failed = { $n ->
        [one] 1 Eintrag konnte nicht exportiert werden
       *[other] { $n } Einträge konnten nicht exportiert werden
    }
    .body = { $item }: { $reason }. Docket Sync versucht es beim nächsten Lauf erneut.
module-items-held-back = { $n ->
        [one] 1 Eintrag pausiert nach wiederholten Fehlern
       *[other] { $n } Einträge pausieren nach wiederholten Fehlern
    }
    .body = { $item }: { $reason }.

# Zusammenfassung eines Laufs.
run-created = { $n } angelegt
run-updated = { $n } geändert
run-deleted = { $n } gelöscht
run-recreated = { $n } wiederhergestellt
run-failed = { $n } fehlgeschlagen
run-held-back = { $n } pausiert
run-skipped = { $n ->
    [one] 1 Eintrag übersprungen
   *[other] { $n } Einträge übersprungen
}
run-nothing-to-do = Nichts zu tun: Outlook war aktuell
run-stopped = Der Export wurde abgebrochen

## Verbindungstest: ein Modul

check-module-permission-missing = Die Berechtigung { $scope } fehlt
    .body = Die IT fügt sie im Azure-Portal hinzu (App-Registrierungen → API-Berechtigungen → Microsoft Graph → Delegiert) und erteilt die Administratorzustimmung; melden Sie sich danach erneut an.
check-module-unreachable = Microsoft Graph konnte nicht gefragt werden: { $detail }
    .body = Docket Sync versucht es später erneut.

## Die Einstellungen der Kanzlei, wie das Statusfenster sie zeigt (nur lesbar).

setting-tenant = Microsoft-365-Organisation (Mandant)
setting-source = Herkunft der Daten der Kanzleisoftware
setting-source-demo = Die Beispielkanzlei (Demo)
setting-deadlines-to = Ziel der Fristen und Wiedervorlagen
setting-deadlines-to-todo = Microsoft To Do
setting-deadlines-to-calendar = Outlook-Kalender
setting-force-private = Termine in Outlook als privat markiert
setting-yes = Ja
setting-no = Nein

# `doctor`: eine Zeile je Prüfung. Der Name einer Prüfung ist
# `doctor-check-<id>`; ein Befund ist eine Nachricht mit der Überschrift
# als Wert und der Erklärung in `.body`. Die Behebung ist eine Aktion.

doctor-status-pass = OK
doctor-status-warn = WARNUNG
doctor-status-fail = FEHLER
doctor-status-skip = AUSGELASSEN

doctor-check-config = Konfiguration
doctor-check-client-secret = Geheimer Clientschlüssel
doctor-check-redirect-port = Anmelde-Port
doctor-check-keyring = Schlüsselbund
doctor-check-source-credential = Zugangsdaten Kanzleisoftware
doctor-check-source-address = Adresse Kanzleisoftware
doctor-check-extra-ca-file = Zusätzliche CA-Datei
doctor-check-data-folder = Datenordner
doctor-check-log-folder = Protokollordner
doctor-check-mailbox-zone = Zeitzone des Postfachs
doctor-check-pms-source = Kanzleisoftware
doctor-check-authority = Anmeldedienst

doctor-summary = { $checks ->
        [one] 1 Prüfung
       *[other] { $checks } Prüfungen
    }: { $failed } fehlgeschlagen, { $warnings ->
        [one] 1 Warnung
       *[other] { $warnings } Warnungen
    }

# Eine Detailzeile, wie das System oder ein Server sie geliefert hat.
doctor-detail = { $text }

doctor-skipped = ausgelassen: braucht eine gültige Konfiguration

doctor-config-loaded = Die Konfiguration ist gültig
doctor-config-ok = { $file } ist gültig
doctor-config-ok-overrides = { $file } ist gültig, mit Ihren Einstellungen aus { $overrides }
doctor-config-invalid = { $n ->
        [one] 1 Problem
       *[other] { $n } Probleme
    } in der Konfiguration ({ $file })
    .body = Jede Zeile unten nennt den Schlüssel, was falsch ist und wie er zu korrigieren ist (docs/configuration.md beschreibt jeden Schlüssel).

doctor-client-secret-no-expiry = Das Ablaufdatum des geheimen Clientschlüssels ist nicht eingetragen
    .body = Niemand wird gewarnt, bevor Anmeldungen mit AADSTS7000222 scheitern. Die IT trägt in microsoft.client_secret_expires das Datum aus der Spalte „Läuft ab“ unter „Zertifikate & Geheimnisse“ ein.
doctor-client-secret-expired = Der geheime Clientschlüssel ist am { $date } abgelaufen
    .body = Anmeldungen scheitern mit AADSTS7000222, bis die IT in der App-Registrierung einen neuen geheimen Clientschlüssel erstellt, ihn hinterlegt und microsoft.client_secret_expires auf sein Ablaufdatum setzt.
doctor-client-secret-expiring = Der geheime Clientschlüssel läuft am { $date } ab ({ $in })
    .body = Bis dahin erstellt die IT in der App-Registrierung einen neuen geheimen Clientschlüssel, hinterlegt ihn und setzt microsoft.client_secret_expires auf sein Ablaufdatum.

doctor-redirect-port-any = Bei jeder Anmeldung wird ein freier Port gewählt
doctor-redirect-port-free = 127.0.0.1:{ $port } ist für die Rückleitung der Anmeldung frei
doctor-redirect-port-busy = 127.0.0.1:{ $port } kann nicht geöffnet werden
    .body = Ein anderes Programm belegt den Port. Schließen Sie es, oder die IT wählt einen anderen microsoft.redirect_port und trägt http://localhost:<port>{ $path } in der App-Registrierung ein.

doctor-keyring-ok = Geheimnisse liegen in { $location }
doctor-keyring-plaintext = Geheimnisse liegen in { $location }, nicht in einem Schlüsselbund
    .body = Wer Ihre Dateien lesen kann, kann auch Ihre Anmeldung lesen. Starten Sie einen Schlüsselbund des Systems; danach setzt die IT storage.allow_plaintext_tokens = false.
doctor-keyring-locked = Der Schlüsselbund des Systems ist gesperrt
    .body = Docket Sync kann Ihre Anmeldung weder speichern noch lesen, solange er gesperrt ist. Ab- und erneutes Anmelden am Desktop entsperrt ihn in der Regel.
doctor-keyring-unavailable = Es ist kein Schlüsselbund des Systems nutzbar
    .body = Linux braucht einen Secret Service (gnome-keyring oder KeePassXC mit Secret-Service-Anbindung); Windows und macOS nutzen den Schlüsselbund des angemeldeten Benutzers. Wo keiner möglich ist, kann die IT die Token-Datei erlauben (storage.allow_plaintext_tokens = true).
doctor-keyring-failed = Der Schlüsselbund des Systems hat einen Fehler gemeldet
    .body = Die Zeile unten nennt den Fehler.

doctor-source-credential-ok = { $kind ->
        [token] Das Token
       *[password] Das Passwort von „{ $user }“
    } für den Server der Kanzleisoftware ist hinterlegt
doctor-source-credential-missing = { $kind ->
        [token] Das Token
       *[password] Das Passwort von „{ $user }“
    } für den Server der Kanzleisoftware ist nicht hinterlegt
    .body = Ohne es kann nichts aus der Kanzleisoftware gelesen werden.
doctor-source-credential-unreadable = { $kind ->
        [token] Das Token
       *[password] Das Passwort von „{ $user }“
    } für den Server der Kanzleisoftware kann nicht gelesen werden
    .body = Siehe die Prüfung des Schlüsselbunds; danach hinterlegen Sie es erneut.

doctor-source-address-credential = { $keys } enthält in der Abfrage etwas, das wie Zugangsdaten aussieht
    .body = Es steht im Klartext in der Konfiguration (Meldungen und Protokolle zeigen es als <redacted>). Zugangsdaten gehören in source.auth („basic“ oder „bearer“) und den Schlüsselbund; bitten Sie den Betreuer der Kanzleisoftware um eine Adresse ohne sie.

doctor-ca-ok = { $file } enthält { $n ->
        [one] 1 Zertifikat
       *[other] { $n } Zertifikate
    }
doctor-ca-unreadable = { $file } kann nicht gelesen werden
    .body = microsoft.extra_ca_file muss eine PEM-Datei mit dem Stammzertifikat der Kanzlei nennen (Text, der mit -----BEGIN CERTIFICATE----- beginnt).
doctor-ca-empty = { $file } enthält kein PEM-Zertifikat
    .body = microsoft.extra_ca_file muss eine PEM-Datei mit dem Stammzertifikat der Kanzlei nennen (Text, der mit -----BEGIN CERTIFICATE----- beginnt).
doctor-ca-invalid = { $file } ist kein gültiges PEM
    .body = microsoft.extra_ca_file muss eine PEM-Datei mit dem Stammzertifikat der Kanzlei nennen (Text, der mit -----BEGIN CERTIFICATE----- beginnt).

doctor-folder-ok = { $dir } ist beschreibbar
doctor-folder-unwritable = In { $dir } kann nicht geschrieben werden
    .body = Ihr Benutzerkonto braucht Schreibrechte für diesen Ordner (oder DOCKETSYNC_HOME nennt einen Ordner, in den es schreiben darf).

doctor-zone-config = { $zone } (policy.mailbox_time_zone in der Konfiguration)
doctor-zone-computer = { $zone } (Zeitzone dieses Computers)
    .body = Ganztägige Termine und Zeiten ohne Zone werden in dieser Zone übertragen. Liegt das Postfach in einer anderen Zone, setzt die IT policy.mailbox_time_zone.
doctor-zone-fallback = UTC (die Zeitzone dieses Computers ist nicht lesbar)
    .body = Ganztägige Termine und Zeiten ohne Zone werden in UTC übertragen. Die IT setzt policy.mailbox_time_zone in der Konfiguration, zum Beispiel „Europe/Berlin“.

doctor-pms-counts = { $appointments ->
        [one] 1 Termin
       *[other] { $appointments } Termine
    }, { $deadlines ->
        [one] 1 Frist oder Wiedervorlage
       *[other] { $deadlines } Fristen und Wiedervorlagen
    }, { $contacts ->
        [one] 1 Kontakt
       *[other] { $contacts } Kontakte
    }
doctor-pms-ok = { $counts }
doctor-pms-skipped = { $counts }; { $skipped ->
        [one] 1 Datensatz übersprungen
       *[other] { $skipped } Datensätze übersprungen
    }
    .body = Der Rest wird exportiert. Korrigieren Sie die unten genannten Datensätze in der Kanzleisoftware.
doctor-pms-incomplete = Nicht vollständig lesbar (gelesen: { $counts })
    .body = Auf Grund eines solchen Lesevorgangs wird nichts gelöscht. Jede Zeile unten nennt die Datei oder Adresse und was schiefging.
doctor-pms-more = … und { $n } weitere
doctor-pms-not-read = Nicht gelesen [{ $code }]
    .body = Die Kanzleisoftware ließ sich nicht so lesen, wie der nächste Export sie liest; die Zeile unten nennt den Grund.

doctor-authority-ok = { $url } hat geantwortet (Aussteller { $issuer })
doctor-authority-not-openid = { $url } hat geantwortet, aber nicht mit einer OpenID-Konfiguration
    .body = Vielleicht hat ein Proxy oder ein WLAN-Anmeldeportal statt Microsoft geantwortet; prüfen Sie microsoft.authority_host und das Netzwerk.
doctor-authority-tenant-unknown = { $url } antwortete mit HTTP { $status }: Der Mandant wurde nicht gefunden
    .body = microsoft.tenant muss die ID oder Domäne Ihres Mandanten sein und microsoft.authority_host der Anmeldedienst Ihrer Cloud.
doctor-authority-unavailable = { $url } antwortete mit HTTP { $status }: Der Anmeldedienst hat ein Problem
    .body = Das ist meist vorübergehend; Docket Sync versucht es selbst erneut.
doctor-authority-refused = { $url } antwortete mit HTTP { $status }
    .body = Hinter einem Proxy muss HTTPS_PROXY ihn nennen; microsoft.authority_host muss der Anmeldedienst sein.
doctor-authority-timeout = { $url } hat nicht innerhalb von { $seconds } s geantwortet
    .body = Hinter einem Proxy muss HTTPS_PROXY ihn nennen; microsoft.authority_host muss der Anmeldedienst sein.
doctor-authority-untrusted = { $url }: Dem Zertifikat des Servers wird nicht vertraut
    .body = Prüft Ihr Netzwerk HTTPS-Verbindungen (eine Firewall oder ein Proxy mit eigenem Zertifikat), setzt die IT microsoft.extra_ca_file auf das Stammzertifikat der Kanzlei (PEM).
doctor-authority-unreachable = Keine Verbindung zu { $url }
    .body = Hinter einem Proxy muss HTTPS_PROXY ihn nennen; microsoft.authority_host muss der Anmeldedienst sein.
doctor-authority-failed = { $url } konnte nicht abgefragt werden
    .body = Hinter einem Proxy muss HTTPS_PROXY ihn nennen; microsoft.authority_host muss der Anmeldedienst sein.
doctor-authority-no-client = Der HTTPS-Client konnte nicht eingerichtet werden
    .body = microsoft.extra_ca_file muss eine PEM-Datei mit dem Stammzertifikat der Kanzlei nennen.

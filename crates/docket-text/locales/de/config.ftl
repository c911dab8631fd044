# Die Konfiguration (docket-config): eine Meldung je Art von Problem.
# Wert = Überschrift; .body = was falsch ist und wie man es korrigiert.
# Schlüssel und Datei nennt das Problem selbst; die Behebung ist eine Aktion.

## Die Dateien

config-unreadable = Konfigurationsdatei nicht lesbar
    .body = { $path } kann nicht gelesen werden ({ $detail }). Machen Sie die Datei für das Benutzerkonto lesbar, unter dem Docket Sync läuft, und speichern Sie sie als UTF-8.
config-unwritable = Einstellungen nicht gespeichert
    .body = { $path } kann nicht geschrieben werden ({ $detail }). Es wurde nichts geändert. Prüfen Sie, ob Ihr Benutzerkonto in diesen Ordner schreiben darf.
config-missing-file = Konfigurationsdatei fehlt
    .body = Unter { $path } liegt keine Konfigurationsdatei. Die IT stellt sie bereit (docs/configuration.md enthält ein Beispiel).
config-syntax = Konfigurationsdatei ungültig
    .body = Zeile { $line }, Spalte { $column }: { $detail }. Textwerte brauchen doppelte Anführungszeichen (tenant = "contoso.onmicrosoft.com"); true/false und Zahlen nicht.
config-syntax-unplaced = Konfigurationsdatei ungültig
    .body = { $detail }. Textwerte brauchen doppelte Anführungszeichen (tenant = "contoso.onmicrosoft.com"); true/false und Zahlen nicht.

## Aufbau: Abschnitte, Schlüssel, Geheimnisse, wer was setzen darf

config-secret = Keine Geheimnisse in Konfigurationsdateien
    .body = Geheimnisse werden nie aus einer Konfigurationsdatei gelesen: Dateien werden kopiert, gesichert und sind für Administratoren lesbar. Löschen Sie diese Zeile; Docket Sync bewahrt das Geheimnis im Schlüsselbund dieses Computers auf (Windows-Anmeldeinformationsverwaltung, macOS-Schlüsselbund oder Secret Service unter Linux).
config-outside-section = Schlüssel außerhalb eines Abschnitts
    .body = Schlüssel müssen in einem Abschnitt stehen. Verschieben Sie ihn unter eine Zeile [{ $section }].
config-outside-section-unknown = Unbekannter Schlüssel außerhalb eines Abschnitts
    .body = Schlüssel müssen in einem Abschnitt wie [microsoft] stehen, und dieser gehört zu keinem Abschnitt. Entfernen Sie ihn; docs/configuration.md nennt alle gültigen Schlüssel.
config-unknown-section-did-you-mean = Unbekannter Abschnitt
    .body = Diesen Abschnitt gibt es nicht. Meinten Sie [{ $suggestion }]?
config-unknown-section = Unbekannter Abschnitt
    .body = Diesen Abschnitt gibt es nicht. Entfernen Sie ihn; die Abschnitte sind { $sections }.
config-unknown-key-elsewhere = Schlüssel im falschen Abschnitt
    .body = { $name } gehört in [{ $section }]: Verschieben Sie ihn dorthin.
config-unknown-key-did-you-mean = Unbekannter Schlüssel
    .body = Diesen Schlüssel gibt es nicht. Meinten Sie { $suggestion }?
config-unknown-key = Unbekannter Schlüssel
    .body = Diesen Schlüssel gibt es nicht. Entfernen Sie ihn; [{ $section }] kennt { $keys }.
config-firm-only = Nur die Firmenkonfiguration darf das setzen
    .body = Eine persönliche Einstellung kann diesen Schlüssel nicht ändern. Entfernen Sie ihn aus Ihrer persönlichen Datei; die IT kann ihn in der Firmenkonfiguration ändern.

## Werte

config-missing = Erforderliche Einstellung fehlt
    .body = Dieser Schlüssel ist erforderlich, aber nicht gesetzt. Fügen Sie { $name } = { $example } unter der Zeile [{ $section }] ein.
config-wrong-type = Falsche Art von Wert
    .body = Erwartet wird { $want }, gefunden wurde { $got }. Schreiben Sie { $name } = { $example }.
config-out-of-range = Wert außerhalb des Bereichs
    .body = { $value } liegt außerhalb des Bereichs: { $why }. Verwenden Sie eine ganze Zahl von { $min } bis { $max } (Standard { $default }).
config-not-a-choice-did-you-mean = Keine gültige Auswahl
    .body = „{ $value }“ ist keine gültige Auswahl. Meinten Sie „{ $suggestion }“? Möglich sind { $choices }.
config-not-a-choice = Keine gültige Auswahl
    .body = „{ $value }“ ist keine gültige Auswahl. Setzen Sie einen der Werte { $choices }.
config-not-a-url = Keine URL
    .body = „{ $value }“ ist keine URL ({ $detail }). Schreiben Sie eine vollständige URL wie „{ $example }“.
config-url-credentials = Benutzername oder Kennwort in einer URL
    .body = Die URL enthält einen Benutzernamen oder ein Kennwort, und Zugangsdaten stehen nie in einer Konfigurationsdatei. Entfernen Sie den Teil benutzer:kennwort@; Docket Sync bewahrt die Zugangsdaten im Schlüsselbund dieses Computers auf.
config-plain-http = Unverschlüsseltes http nicht erlaubt
    .body = Unverschlüsseltes http ist nur für diesen Computer erlaubt (localhost, 127.0.0.1); alles andere muss https verwenden, z. B. „{ $example }“.
config-url-scheme = Adresstyp nicht unterstützt
    .body = Das Schema „{ $scheme }“ wird nicht unterstützt. Verwenden Sie eine https-URL wie „{ $example }“.
config-path-empty = Leerer Pfad
    .body = Der Pfad ist leer. Setzen Sie einen Pfad wie „{ $example }“, oder entfernen Sie die Zeile.
config-path-missing = Datei nicht gefunden
    .body = { $path } existiert nicht. Korrigieren Sie den Pfad (relative Pfade gehen vom Ordner der Konfigurationsdatei aus), oder entfernen Sie die Zeile.

## [microsoft]

config-tenant-multi = Mehrinstanzen-Endpunkt nicht erlaubt
    .body = „{ $value }“ würde Konten jeder Organisation annehmen, und Entra lehnt das für eine Einzelmandanten-App ab (AADSTS50194). Setzen Sie die Verzeichnis-ID (Mandant) Ihrer Kanzlei, eine GUID auf der Übersichtsseite des Entra Admin Centers, oder ihre Domäne, z. B. „contoso.onmicrosoft.com“.
config-tenant-invalid = Kein Mandant
    .body = „{ $value }“ ist weder eine Mandanten-ID (GUID) noch ein Domänenname. Setzen Sie die Verzeichnis-ID (Mandant) Ihrer Kanzlei, eine GUID auf der Übersichtsseite des Entra Admin Centers, oder ihre Domäne, z. B. „contoso.onmicrosoft.com“.
config-client-id = Keine Client-ID
    .body = „{ $value }“ ist keine GUID. Kopieren Sie die Anwendungs-ID (Client) von der Übersichtsseite der App-Registrierung, z. B. „0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01“.
config-authority-path = Authority-Host mit Pfad
    .body = „{ $value }“ enthält einen Pfad, der Authority-Host besteht aber nur aus Schema, Host und Port. Entfernen Sie den Pfad (der Mandant gehört in microsoft.tenant), z. B. „https://login.microsoftonline.com“.
config-graph-query = Graph-URL mit Abfrage oder Fragment
    .body = Die URL enthält eine Abfrage oder ein Fragment. Verwenden Sie nur die Basis-URL, z. B. „{ $example }“.
config-secret-expires-date = Kein Datum
    .body = Erwartet wird ein Datum wie 2026-12-31. Schreiben Sie client_secret_expires = 2026-12-31 (die Spalte „Läuft ab“ unter Zertifikate & Geheimnisse).
config-secret-expires-public = Ein öffentlicher Client hat keinen Schlüssel
    .body = Ein öffentlicher Client hat keinen geheimen Clientschlüssel und damit kein Ablaufdatum. Entfernen Sie die Zeile, oder setzen Sie client_type = "confidential", wenn die App auf der Web-Plattform mit einem Schlüssel registriert ist.
config-redirect-port = Port nicht verwendbar
    .body = { $value } ist kein verwendbarer Port: Ports unter 1024 erfordern Administratorrechte. Verwenden Sie 0 (Standard: bei jeder Anmeldung wird ein freier Port gewählt) oder einen festen Port von 1024 bis 65535, der auf der Web-Plattform der App registriert ist.
config-redirect-path = Kein URL-Pfad
    .body = „{ $value }“ ist kein URL-Pfad. Verwenden Sie einen Pfad, der mit / beginnt und kein ?, # oder Leerzeichen enthält, z. B. „/“.
config-redirect-uri-both = Umleitung doppelt gesetzt
    .body = redirect_uri ist zusammen mit redirect_port oder redirect_path gesetzt. Setzen Sie entweder nur redirect_uri oder redirect_port und redirect_path.
config-redirect-uri-not-url = Umleitungs-URI ist keine URL
    .body = „{ $value }“ ist keine URL ({ $detail }). Verwenden Sie eine Loopback-Adresse wie „http://localhost:50993/“ oder „http://127.0.0.1:50993/“, genau wie für die App registriert.
config-redirect-uri-not-loopback = Umleitungs-URI nicht auf diesem Computer
    .body = „{ $value }“ ist keine Loopback-Umleitung: Docket Sync empfängt die Anmeldung auf diesem Computer, unter http://localhost oder http://127.0.0.1 (Entra unterstützt [::1] nicht). Verwenden Sie eine Adresse wie „http://localhost:50993/“, genau wie für die App registriert.
config-scopes-words = Bereiche nicht lesbar
    .body = Jeder Bereich muss ein nicht leeres Wort in doppelten Anführungszeichen sein, z. B. scopes = ["offline_access", "User.Read", "Calendars.ReadWrite"].
config-scopes-offline = offline_access fehlt
    .body = Ohne offline_access stellt Entra kein Aktualisierungstoken aus, und jeder Benutzer müsste sich stündlich neu anmelden. Fügen Sie "offline_access" zur Liste hinzu.

## [source]

config-unused-by-kind = Einstellung wird nicht verwendet
    .body = Dieser Schlüssel wird bei kind = "{ $kind }" nicht verwendet. Entfernen Sie die Zeile.
config-source-path-and-url = path und url gleichzeitig gesetzt
    .body = Sowohl path als auch url sind gesetzt. Behalten Sie path für eine .ics-Datei auf dem Datenträger oder url für einen Kalender-Feed, nicht beides.
config-source-credential-for-path = Einstellung bei einem Pfad nicht verwendet
    .body = Eine Datei auf dem Datenträger braucht keine Zugangsdaten. Entfernen Sie die Zeile (sie gilt für url = "https://…").
config-source-username-empty = Leerer Benutzername
    .body = Der Benutzername ist leer. Setzen Sie den Benutzernamen, den der Server der Kanzleisoftware kennt, z. B. "anna.berger", oder entfernen Sie die Zeile.
config-source-basic-needs-username = Benutzername fehlt
    .body = auth = "basic" braucht einen Benutzernamen, source.username ist aber nicht gesetzt. Fügen Sie username = "anna.berger" unter der Zeile [source] ein; das Kennwort kommt in den Schlüsselbund dieses Computers.
config-source-username-unused = Benutzername wird nicht verwendet
    .body = Der Benutzername wird bei auth = "{ $auth }" nicht verwendet. Entfernen Sie die Zeile, oder setzen Sie auth = "basic", wenn der Server Benutzername und Kennwort verlangt.

## [policy], [conventions]

config-max-delete-share = Anteil außerhalb des Bereichs
    .body = Der Anteil muss zwischen 0 und 1 liegen (0.2 = höchstens 20 % der exportierten Einträge dürfen in einem Lauf gelöscht werden), z. B. max_delete_share = 0.2.
config-time-zone = Unbekannte Zeitzone
    .body = „{ $value }“ ist kein IANA-Zeitzonenname. Schreiben Sie die Zone wie in der IANA-Datenbank, z. B. mailbox_time_zone = "Europe/Berlin", oder entfernen Sie den Schlüssel, um die Zone des Computers zu verwenden.
config-x-property = Kein Name einer Erweiterungseigenschaft
    .body = „{ $value }“ ist kein Name einer Erweiterungseigenschaft. Verwenden Sie X- gefolgt von Buchstaben, Ziffern und Bindestrichen, so wie die Kanzleisoftware ihn schreibt, z. B. "X-PMS-TYPE".
config-categories = Kategorienamen nicht lesbar
    .body = Jeder Eintrag muss ein nicht leerer Kategoriename in doppelten Anführungszeichen sein. Schreiben Sie { $name } = { $example }.

## Warnungen zu einer gültigen Konfiguration

config-secret-expiry-unknown = Ablaufdatum des Clientschlüssels nicht gesetzt
    .body = Niemand wird gewarnt, bevor Anmeldungen mit AADSTS7000222 fehlschlagen. Setzen Sie microsoft.client_secret_expires = JJJJ-MM-TT (die Spalte „Läuft ab“ unter Zertifikate & Geheimnisse).
config-secret-expired = Geheimer Clientschlüssel abgelaufen
    .body = Der geheime Clientschlüssel ist am { $date } abgelaufen; Anmeldungen schlagen mit AADSTS7000222 fehl. Erstellen Sie in der App-Registrierung einen neuen geheimen Clientschlüssel (Entra Admin Center → App-Registrierungen → Zertifikate & Geheimnisse), hinterlegen Sie ihn in Docket Sync und setzen Sie microsoft.client_secret_expires auf sein Ablaufdatum.
config-secret-expires-soon = Geheimer Clientschlüssel läuft bald ab
    .body = Der geheime Clientschlüssel läuft am { $date } ab, { $days ->
        [0] also heute
        [one] also in einem Tag
       *[other] also in { $days } Tagen
    }. Erstellen Sie in der App-Registrierung einen neuen geheimen Clientschlüssel (Entra Admin Center → App-Registrierungen → Zertifikate & Geheimnisse), hinterlegen Sie ihn in Docket Sync und setzen Sie microsoft.client_secret_expires auf sein Ablaufdatum.

## Wörter innerhalb der Meldungen oben

config-type-text = Text
config-type-integer = eine ganze Zahl
config-type-float = eine Dezimalzahl
config-type-bool = true/false
config-type-datetime = ein Datum/eine Uhrzeit
config-type-list = eine Liste
config-type-table = eine Tabelle
config-type-nothing = nichts
config-want-text = Text in doppelten Anführungszeichen
config-want-bool = true oder false
config-want-integer = eine ganze Zahl
config-want-share = eine Zahl von 0 bis 1
config-want-scopes = eine Liste von Bereichen
config-want-categories = eine Liste von Kategorienamen
config-why-sync-interval = wer häufiger als alle 5 Minuten exportiert, wird von Microsoft Graph gebremst
config-why-keep-alive = die Anmeldung muss deutlich innerhalb der 90-tägigen Inaktivitätsgrenze von Entra aufgefrischt werden
config-why-keep-days = Protokolle werden zwischen 1 Tag und einem Jahr aufbewahrt

# Warum ein Eintrag (oder eine Datei) aus der Kanzleisoftware nicht
# übertragen wird: jede Meldung ist der Grund in einer Zeile
# „Datei: Eintrag: Grund“, daher klein geschrieben und ohne Punkt.

## Die Datei oder der Aufbau des Eintrags

source-no-data = keine iCalendar-Daten (BEGIN:VCALENDAR) und keine vCard-Daten (BEGIN:VCARD) gefunden
source-begins-inside = { $component } beginnt, bevor dieser Eintrag abgeschlossen ist
source-wrong-end = END:{ $found } an einer Stelle, an der END:{ $expected } erwartet wurde
source-not-terminated = { $component } ist nicht abgeschlossen (END:{ $component } fehlt)
source-cut-short = die Datei endet vor END:{ $component }: sie wurde womöglich beim Schreiben abgeschnitten; in Outlook wird daher nichts gelöscht, bis sie vollständig gelesen wird
source-invalid-utf8 = kein gültiges UTF-8 bei Byte { $byte } (Zeile { $line })
source-reader-failed = dieser Eintrag konnte nicht gelesen werden (ein interner Fehler beim Lesen; bitte melden Sie ihn zusammen mit dem Eintrag)
source-not-event-or-todo = weder VEVENT noch VTODO
source-unreadable-structure = der Aufbau des Eintrags ist nicht lesbar
source-duplicate-uid = { $kind ->
    [appointment] ein anderer Termin hat dieselbe UID; dieser wird übersprungen
    [deadline] eine andere Frist hat dieselbe UID; diese wird übersprungen
   *[contact] ein anderer Kontakt hat dieselbe UID; dieser wird übersprungen
}

## Kennung und Pflichtangaben

source-missing-uid = UID fehlt
source-no-dtstart = DTSTART fehlt
source-no-due = kein Fälligkeitsdatum (DUE); nur Aufgaben mit Fälligkeit sind Fristen
source-no-name = kein Name (weder FN noch N)
source-empty-property = { $property } ist leer

## Größen

source-text-too-large = { $field ->
    [note] die Notiz ist { $size } groß, mehr als die erlaubten { $limit }
   *[description] die Beschreibung ist { $size } groß, mehr als die erlaubten { $limit }
}
source-file-too-large = die Datei ist { $size } groß, mehr als die erlaubten { $limit }; nicht gelesen

## Datum, Uhrzeit und Zeitzonen

source-bad-date = ungültiges Datum „{ $value }“ in { $property }
source-bad-time = ungültige Uhrzeit „{ $value }“ in { $property }
source-period-not-date = { $property } enthält einen Zeitraum, wo ein Datum stehen muss
source-not-a-date = { $property } enthält kein Datum
source-unsupported-offset = nicht unterstützter UTC-Versatz in { $property }
source-unknown-zone = unbekannte Zeitzone „{ $tzid }“
source-unknown-zone-unmatched = unbekannte Zeitzone „{ $tzid }“ (ihr VTIMEZONE passt zu keiner IANA-Zeitzone)
source-period-backwards = ein Zeitraum in { $property }, dessen Ende vor dem Beginn liegt
source-duration-too-long = DURATION ist zu lang
source-bad-duration = ungültige DURATION
source-end-beyond-calendar = das Ende liegt nach dem letzten Datum, das ein Kalender darstellen kann
source-end-before-start = DTEND { $end } liegt vor DTSTART { $start }
source-date-start-timed-end = DTSTART ist ein Datum, DTEND aber hat eine Uhrzeit
source-timed-start-date-end = DTSTART hat eine Uhrzeit, DTEND aber ist ein Datum
source-several-rrules = mehr als eine RRULE
source-bad-rrule = ungültige Wiederholungsregel „{ $rule }“

## Ordner und Dateien

source-folder-unlistable = der Ordner lässt sich nicht auflisten: { $error }
source-folder-incomplete = der Ordner lässt sich nicht vollständig auflisten: { $error }
source-file-unreadable = die Datei lässt sich nicht lesen: { $error }

## Der Server der Kanzleisoftware (HTTPS-Export, CalDAV, CardDAV)

source-no-credential = { $auth ->
    [basic] für den Server der Kanzleisoftware ist kein Passwort hinterlegt (source.auth = "basic")
   *[bearer] für den Server der Kanzleisoftware ist kein Token hinterlegt (source.auth = "bearer")
}
source-https-client = die HTTPS-Verbindung ließ sich nicht einrichten: { $error }
source-extra-ca-unreadable = die zusätzliche Zertifikatsdatei: { $error }
source-unreachable = der Server der Kanzleisoftware unter { $url } ist nicht erreichbar: { $detail }; prüfen Sie die Netzwerkverbindung und { $key }
source-detail = { $text }
source-timeout = der Server hat nicht rechtzeitig geantwortet
source-untrusted-certificate = dem Zertifikat des Servers wird nicht vertraut ({ $error }); hat die Kanzlei eine eigene Zertifizierungsstelle, setzt die IT microsoft.extra_ca_file
source-answer-broke-off = die Antwort brach ab: { $error }
source-credential-wanted = der Server der Kanzleisoftware unter { $url } verlangt eine Anmeldung (HTTP 401), source.auth ist aber "none"; die IT setzt source.auth (und source.username) in der Kanzlei-Konfiguration
source-password-refused = der Server der Kanzleisoftware hat die Anmeldung abgelehnt (HTTP 401): das Passwort für den Benutzer „{ $user }“ ist falsch oder abgelaufen
source-token-refused = der Server der Kanzleisoftware hat die Anmeldung abgelehnt (HTTP 401): das Token ist falsch oder abgelaufen
source-forbidden-user = der Server der Kanzleisoftware erlaubt dem Benutzer „{ $user }“ nicht, { $url } zu lesen (HTTP 403); bitten Sie die Administration der Kanzleisoftware um Zugriff oder korrigieren Sie { $key }
source-forbidden = der Server der Kanzleisoftware erlaubt diesem Zugang nicht, { $url } zu lesen (HTTP 403); bitten Sie die Administration der Kanzleisoftware um Zugriff oder korrigieren Sie { $key }
source-not-found = { $url } gibt es auf dem Server der Kanzleisoftware nicht (HTTP { $code }); korrigieren Sie { $key } (die Administration der Kanzleisoftware kennt die Adresse)
source-redirected = der Server der Kanzleisoftware leitet { $url } an { $to } weiter (HTTP { $code }); setzen Sie { $key } auf diese Adresse
source-redirected-nowhere = der Server der Kanzleisoftware leitet { $url } an eine andere Adresse weiter (HTTP { $code }); korrigieren Sie { $key }
source-server-error = beim Server der Kanzleisoftware unter { $url } ist ein Fehler aufgetreten (HTTP { $code }); Docket Sync versucht es bei der nächsten Übertragung erneut; hält das an, informieren Sie die Administration der Kanzleisoftware
source-unexpected-status = der Server der Kanzleisoftware beantwortete { $url } mit HTTP { $code } { $reason }; prüfen Sie { $key }
source-answer-too-large = die Antwort von { $url } ist größer als die erlaubten { $limit }; nicht gelesen (bitten Sie die Administration der Kanzleisoftware, die Daten aufzuteilen)
source-not-a-url = { $url } ist keine gültige Adresse ({ $error }); korrigieren Sie { $key }
source-answer-not-text = die Antwort des Servers der Kanzleisoftware für { $url } ist kein UTF-8-Text; informieren Sie die Administration der Kanzleisoftware
source-not-dav = { $url } antwortet nicht wie ein CalDAV-/CardDAV-Server: { $error }; prüfen Sie { $key }
source-not-collection = { $collection ->
    [calendar] { $url } ist kein CalDAV-Kalender (vielleicht der Ordner darüber); setzen Sie { $key } auf die Adresse des Kalenders selbst, wie die Kanzleisoftware sie anzeigt
   *[addressbook] { $url } ist kein CardDAV-Adressbuch (vielleicht der Ordner darüber); setzen Sie { $key } auf die Adresse des Adressbuchs selbst, wie die Kanzleisoftware sie anzeigt
}
source-no-data-sent = der Server der Kanzleisoftware hat für { $resource } keine Daten geschickt (Status { $status }); informieren Sie die Administration der Kanzleisoftware
source-not-sent = der Server der Kanzleisoftware hat { $resource } nicht geschickt, obwohl er es aufgelistet hat; die nächste Übertragung versucht es erneut
source-web-page = { $url } antwortete mit einer Webseite statt mit einem Kalender oder Adressbuch (vermutlich einer Anmeldeseite); korrigieren Sie { $key }: die Administration der Kanzleisoftware kennt die Adresse des .ics-Exports

# Wie ein Eintrag ohne UID in einer Übersprungen-Zeile heißt („VTODO in
# Zeile 681: UID fehlt“); $component ist VEVENT, VTODO, VCARD …, $line die Zeile seines BEGIN.
source-record-at-line = { $component } in Zeile { $line }
source-record-whole-file = (ganze Datei)

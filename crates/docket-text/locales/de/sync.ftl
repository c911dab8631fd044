# Die Übertragung: warum ein Eintrag beim Umsetzen übersprungen wird,
# Hinweise, die keinen Eintrag kosten, der Plan in Worten, die
# Löschbremse und der Bericht eines Laufs.

## Ein übersprungener Eintrag, wie ihn ein Mensch liest

sync-skip-line = { $file }: { $record }: { $reason }
sync-skip-line-nofile = { $record }: { $reason }
sync-skip-rrule-unreadable = die Wiederholungsregel „{ $rule }“ ist nicht lesbar: { $error }
sync-skip-rrule-unexpandable = die Wiederholungsregel „{ $rule }“ lässt sich nicht auflösen: { $error }
sync-skip-occurrence-beyond-calendar = der Termin am { $day } würde nach dem letzten Datum enden, das ein Kalender darstellen kann
sync-skip-mapping-failed = dieser Eintrag konnte nicht umgesetzt werden (ein interner Fehler; bitte melden Sie ihn zusammen mit dem Eintrag)
# Warum eine Wiederholungsregel nicht lesbar ist (der Grund in
# sync-skip-rrule-unreadable); die Worte der rrule-Bibliothek, wie sie kamen.
sync-rrule-bad-until = UNTIL „{ $value }“ ist weder ein Datum noch eine Uhrzeit
sync-rrule-until-twice = UNTIL ist zweimal angegeben
sync-rrule-not-ascii = sie enthält Zeichen außer einfachem ASCII
sync-rrule-zero-interval = INTERVAL ist 0
sync-rrule-zero-count = COUNT ist 0
sync-rrule-count-and-until = sie hat sowohl COUNT als auch UNTIL
sync-rrule-refused = { $detail }

## Hinweise

sync-notice-series-cut = „{ $title }“ ({ $uid }) wiederholt sich im Übertragungszeitraum mehr als { $max }-mal; nur die ersten { $max } werden übertragen
sync-notice-contact-emails = Kontakt „{ $name }“ ({ $uid }): { $emails ->
    [one] 1 E-Mail-Adresse
   *[other] { $emails } E-Mail-Adressen
} über die { $max } hinaus, die Outlook aufnimmt, { $emails ->
    [one] steht
   *[other] stehen
} in seinen Notizen
sync-notice-contact-fields = Kontakt „{ $name }“ ({ $uid }): { $fields ->
    [one] 1 Telefonnummer oder Anschrift
   *[other] { $fields } Telefonnummern oder Anschriften
} ohne freies Outlook-Feld { $fields ->
    [one] steht
   *[other] stehen
} in seinen Notizen
sync-notice-contact-both = Kontakt „{ $name }“ ({ $uid }): { $emails ->
    [one] 1 E-Mail-Adresse
   *[other] { $emails } E-Mail-Adressen
} über die { $max } hinaus, die Outlook aufnimmt, und { $fields ->
    [one] 1 Telefonnummer oder Anschrift
   *[other] { $fields } Telefonnummern oder Anschriften
} ohne freies Outlook-Feld stehen in seinen Notizen
sync-notice-listing-incomplete = { $kind ->
    [event] die Liste unserer Termine war unvollständig: nichts gilt deshalb als gelöscht
    [task] die Liste unserer Aufgaben war unvollständig: nichts gilt deshalb als gelöscht
   *[contact] die Liste unserer Kontakte war unvollständig: nichts gilt deshalb als gelöscht
}
sync-notice-listing-empty = { $kind ->
    [event] die Liste enthielt keinen unserer { $n } Termine: das gilt nicht als Zeichen, dass alle gelöscht wurden (außer Sie lassen diese Löschungen zu)
    [task] die Liste enthielt keine unserer { $n } Aufgaben: das gilt nicht als Zeichen, dass alle gelöscht wurden (außer Sie lassen diese Löschungen zu)
   *[contact] die Liste enthielt keinen unserer { $n } Kontakte: das gilt nicht als Zeichen, dass alle gelöscht wurden (außer Sie lassen diese Löschungen zu)
}
sync-notice-pms-incomplete = die Kanzleisoftware konnte nicht vollständig gelesen werden: { $n ->
    [one] 1 Eintrag, der dort fehlt, wurde nicht gelöscht
   *[other] { $n } Einträge, die dort fehlen, wurden nicht gelöscht
}
sync-notice-no-change-tracking = { $kind ->
    [event] die Änderungsverfolgung für Termine ließ sich nicht starten: { $error }
    [task] die Änderungsverfolgung für Aufgaben ließ sich nicht starten: { $error }
   *[contact] die Änderungsverfolgung für Kontakte ließ sich nicht starten: { $error }
}

## Die Löschbremse

sync-brake = Vor dem Löschen von { $deletes } der { $owned } übertragenen Einträge angehalten ({ $percent } %, mehr als die erlaubten { $allowed } %)
    .body = Wenn die Kanzleisoftware sie wirklich entfernt hat, lassen Sie diese Löschungen zu; andernfalls prüfen Sie den Export der Kanzleisoftware.

## Der Plan in Worten (sync --dry-run)

sync-count-appointments = { $n ->
    [one] 1 Termin
   *[other] { $n } Termine
}
sync-count-deadlines = { $n ->
    [one] 1 Frist
   *[other] { $n } Fristen
}
sync-count-contacts = { $n ->
    [one] 1 Kontakt
   *[other] { $n } Kontakte
}
sync-plan-create = { $items } anlegen
sync-plan-update = { $items } aktualisieren
sync-plan-update-edited = { $items } aktualisieren ({ $edited } in Outlook geändert, die Kanzleisoftware hat Vorrang)
sync-plan-delete = { $items } löschen ({ $why })
sync-plan-why-gone = { $n } nicht mehr in der Kanzleisoftware
sync-plan-why-cancelled = { $n } abgesagt
sync-plan-why-unsubscribed = { $n } nicht mehr abonniert
sync-plan-why-not-in-series = { $n } nicht mehr Teil ihrer Serie
sync-plan-recreate = { $items }, in Outlook gelöscht, neu anlegen
sync-plan-move = { $items } an den anderen Ort verschieben (deadlines_to geändert)
sync-plan-duplicates = { $n ->
    [one] 1 Duplikat entfernen
   *[other] { $n } Duplikate entfernen
}
sync-plan-skip = { $n } überspringen: { $shown }
sync-plan-skip-more = { $n } überspringen: { $shown }; und { $more } weitere
sync-plan-nothing = nichts zu tun
sync-plan-unchanged = { $parts } ({ $n } unverändert)
sync-plan-unchanged-left-alone = { $parts } ({ $n } unverändert, { $left } unberührt gelassen)
sync-plan-note = Hinweis: { $notice }

## Ein fehlgeschlagener oder pausierter Eintrag

sync-failed-request = { $error }
sync-failed-graph = Microsoft 365: { $reason }
sync-failed-no-id = Microsoft 365 hat ohne Kennung geantwortet
sync-failed-deleted-meanwhile = inzwischen in Outlook gelöscht; wird beim nächsten Lauf neu angelegt
sync-held-back = { $attempts ->
    [one] einmal fehlgeschlagen
   *[other] { $attempts }-mal fehlgeschlagen
}, zuletzt: { $error }; nächster Versuch { $next }

## Der Bericht eines Laufs

sync-report-plan = Plan (nichts wurde geändert): { $plan }
sync-report-exported = Übertragen: { $created } angelegt, { $updated } aktualisiert, { $deleted } gelöscht, { $recreated } nach Löschung in Outlook neu angelegt, { $moved } verschoben, { $unchanged } unverändert.
sync-report-held = Zurückgehalten: { $brake }
sync-report-failed = Fehlgeschlagen (nächster Lauf versucht es erneut): { $item }: { $reason }
sync-report-paused = Nach wiederholten Fehlern pausiert: { $item }: { $reason }
sync-report-skipped = Übersprungen: { $line }
sync-report-note = Hinweis: { $notice }
sync-report-requests = Microsoft-Graph-Anfragen: { $requests } ({ $reads } Lesezugriffe, { $writes } Schreibzugriffe in { $batches } Sammelanfragen; { $throttled } gedrosselt und wiederholt).

## In die Notizen eines exportierten Kontakts geschrieben (in der Sprache
## der Person): was in Outlooks Feldern keinen Platz hatte, je eine Zeile.

sync-contact-overflow = Außerdem in der Kanzleisoftware (in Outlook kein Platz):
sync-contact-overflow-line = { $field ->
        [email] E-Mail
        [mobile] Mobil
        [fax] Fax
        [phone] Telefon
       *[address] Adresse
    } ({ $usage ->
        [work] geschäftlich
        [home] privat
       *[other] sonstige
    }): { $value }

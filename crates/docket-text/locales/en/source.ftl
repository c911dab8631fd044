# Why a record (or a file) from the practice-management system (PMS) is
# not exported: each message is the reason in a skip line
# ("file: record: reason"), so it starts in lower case and has no full stop.

## The file or the record's structure

source-no-data = no iCalendar (BEGIN:VCALENDAR) or vCard (BEGIN:VCARD) data found
source-begins-inside = { $component } begins before this record ended
source-wrong-end = END:{ $found } where END:{ $expected } was expected
source-not-terminated = { $component } is not terminated (no END:{ $component })
source-cut-short = the file ends before END:{ $component }: it may have been cut off while it was being written, so nothing is deleted in Outlook until it reads whole
source-invalid-utf8 = not valid UTF-8 at byte { $byte } (line { $line })
source-reader-failed = this record could not be read (an internal error in the reader; please report it with the record)
source-not-event-or-todo = not a VEVENT or VTODO
source-unreadable-structure = the record's structure could not be read
source-duplicate-uid = { $kind ->
    [appointment] another appointment has the same UID; this one is skipped
    [deadline] another deadline has the same UID; this one is skipped
   *[contact] another contact has the same UID; this one is skipped
}

## Identity and required properties

source-missing-uid = missing UID
source-no-dtstart = no DTSTART
source-no-due = no DUE date (only to-dos with a due date are deadlines)
source-no-name = no name (neither FN nor N)
source-empty-property = empty { $property }

## Sizes

source-text-too-large = { $field ->
    [note] note is { $size }, over the { $limit } limit
   *[description] description is { $size }, over the { $limit } limit
}
source-file-too-large = the file is { $size }, over the { $limit } limit; not read

## Dates, times and zones

source-bad-date = bad date '{ $value }' in { $property }
source-bad-time = bad time '{ $value }' in { $property }
source-period-not-date = { $property } holds a period where a date belongs
source-not-a-date = { $property } does not hold a date
source-unsupported-offset = unsupported UTC offset in { $property }
source-unknown-zone = unknown time zone '{ $tzid }'
source-unknown-zone-unmatched = unknown time zone '{ $tzid }' (its VTIMEZONE matches no IANA zone)
source-period-backwards = a period in { $property } that does not run forward in time
source-duration-too-long = DURATION is too long
source-bad-duration = bad DURATION
source-end-beyond-calendar = the end lies beyond the last date a calendar can hold
source-end-before-start = DTEND { $end } is before DTSTART { $start }
source-date-start-timed-end = DTSTART is a date but DTEND has a time
source-timed-start-date-end = DTSTART has a time but DTEND is a date
source-several-rrules = more than one RRULE
source-bad-rrule = bad recurrence rule '{ $rule }'

## Folders and files

source-folder-unlistable = cannot list the folder: { $error }
source-folder-incomplete = cannot list the folder completely: { $error }
source-file-unreadable = cannot read the file: { $error }

## The PMS server (HTTPS feed, CalDAV, CardDAV)

source-no-credential = { $auth ->
    [basic] no password is stored for the PMS server (source.auth = "basic")
   *[bearer] no token is stored for the PMS server (source.auth = "bearer")
}
source-https-client = the HTTPS client could not be set up: { $error }
source-extra-ca-unreadable = the extra CA file: { $error }
source-unreachable = cannot reach the PMS server at { $url }: { $detail }; check the network connection and { $key }
source-detail = { $text }
source-timeout = the server did not answer in time
source-untrusted-certificate = the server's certificate is not trusted ({ $error }); if the firm uses its own certificate authority, IT sets microsoft.extra_ca_file
source-answer-broke-off = the answer broke off: { $error }
source-credential-wanted = the PMS server at { $url } asks for a credential (HTTP 401), but source.auth is "none"; IT sets source.auth (and source.username) in the firm configuration
source-password-refused = the PMS server refused the credential (HTTP 401): the password for user '{ $user }' is wrong or has expired
source-token-refused = the PMS server refused the credential (HTTP 401): the token is wrong or has expired
source-forbidden-user = the PMS server does not let user '{ $user }' read { $url } (HTTP 403); ask the PMS administrator for access, or correct { $key }
source-forbidden = the PMS server does not let this credential read { $url } (HTTP 403); ask the PMS administrator for access, or correct { $key }
source-not-found = { $url } does not exist on the PMS server (HTTP { $code }); correct { $key } (the PMS administrator knows the address)
source-redirected = the PMS server sends { $url } on to { $to } (HTTP { $code }); set { $key } to that address
source-redirected-nowhere = the PMS server sends { $url } on to another address (HTTP { $code }); correct { $key }
source-server-error = the PMS server at { $url } had an error (HTTP { $code }); Docket Sync tries again at the next export; if this goes on, tell the PMS administrator
source-unexpected-status = the PMS server answered { $url } with HTTP { $code } { $reason }; check { $key }
source-answer-too-large = the answer from { $url } is over the { $limit } limit; not read (ask the PMS administrator to split the data)
source-not-a-url = { $url } is not a URL ({ $error }); correct { $key }
source-answer-not-text = the PMS server's answer for { $url } is not UTF-8 text; tell the PMS administrator
source-not-dav = { $url } did not answer like a CalDAV/CardDAV server: { $error }; check { $key }
source-not-collection = { $collection ->
    [calendar] { $url } is not a CalDAV calendar (perhaps the folder above it); set { $key } to the calendar's own address, as the PMS shows it
   *[addressbook] { $url } is not a CardDAV address book (perhaps the folder above it); set { $key } to the address book's own address, as the PMS shows it
}
source-no-data-sent = the PMS server sent no data for { $resource } (status { $status }); tell the PMS administrator
source-not-sent = the PMS server did not send { $resource } although it listed it; the next export tries again
source-web-page = { $url } answered with a web page, not a calendar or address book (probably a sign-in page); correct { $key }: the PMS administrator knows the address of the .ics export

# How a record without a UID is named in a skip line ("VTODO at line 681:
# missing UID"); $component is VEVENT, VTODO, VCARD …, $line the line of its BEGIN.
source-record-at-line = { $component } at line { $line }
source-record-whole-file = (whole file)

#!/usr/bin/env python3
"""Writes the seed corpus fuzz/corpus/<target>/ (small, real-looking
inputs). Run again after editing; the fuzzers add their own finds only to
a working copy (see docs/reliability.md), never here."""
import json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))

def crlf(s):
    return "\r\n".join(s.strip("\n").split("\n")).encode() + b"\r\n"

BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""

WINDOWS_TZ = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""

ICAL = {
"weekly-series-exdate-alarm.ics": f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Kanzlei Demo//AnwaltsPMS 7.2//DE
{BERLIN}
BEGIN:VEVENT
UID:anna-serie-kanzleibesprechung
DTSTAMP:20261001T080000Z
LAST-MODIFIED:20261001T080000Z
SUMMARY:Kanzleibesprechung (Jour fixe)
DTSTART;TZID=Europe/Berlin:20261102T090000
DTEND;TZID=Europe/Berlin:20261102T100000
RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270628T070000Z
EXDATE;TZID=Europe/Berlin:20261228T090000,20270104T090000
LOCATION:Kanzlei\\, Besprechungsraum 1
CATEGORIES:Intern
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Erinnerung
TRIGGER:-PT10M
END:VALARM
END:VEVENT
END:VCALENDAR""",
"windows-tz-override.ics": f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
{WINDOWS_TZ}
BEGIN:VEVENT
UID:james-mandant-call
DTSTAMP:20261001T080000Z
SUMMARY:Call with client (Schmidt ./. Huber)
DTSTART;TZID=W. Europe Standard Time:20261105T140000
DURATION:PT45M
RRULE:FREQ=MONTHLY;BYDAY=1TH;COUNT=6
CLASS:PRIVATE
DESCRIPTION:Aktenzeichen 12/26\\nBitte Unterlagen mitbringen.
END:VEVENT
BEGIN:VEVENT
UID:james-mandant-call
RECURRENCE-ID;TZID=W. Europe Standard Time:20261203T140000
DTSTAMP:20261101T080000Z
SUMMARY:Call with client (moved)
DTSTART;TZID=W. Europe Standard Time:20261204T093000
DTEND;TZID=W. Europe Standard Time:20261204T101500
END:VEVENT
END:VCALENDAR""",
"deadline-todo.ics": """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Kanzlei Demo//AnwaltsPMS 7.2//DE
BEGIN:VTODO
UID:anna-frist-berufung-2026-0815
DTSTAMP:20261001T080000Z
SUMMARY:Berufungsbegründungsfrist Müller ./. Bau GmbH
DUE;VALUE=DATE:20261215
PRIORITY:1
STATUS:NEEDS-ACTION
CATEGORIES:Frist,Notfrist
X-DOCKET-KIND:deadline
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER;RELATED=END:-P7D
END:VALARM
END:VTODO
BEGIN:VTODO
UID:anna-wv-0816
DTSTAMP:20261001T080000Z
SUMMARY:Wiedervorlage: Akte 815/26
DUE:20261120T090000Z
STATUS:COMPLETED
COMPLETED:20261119T120000Z
CATEGORIES:Wiedervorlage
END:VTODO
END:VCALENDAR""",
"all-day-and-utc.ics": """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//x//y//EN
BEGIN:VEVENT
UID:urlaub-2026
DTSTAMP:20261001T080000Z
SUMMARY:Urlaub
DTSTART;VALUE=DATE:20261221
DTEND;VALUE=DATE:20270102
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
UID:termin-utc
DTSTAMP:20261001T080000Z
SUMMARY:Verhandlung LG München I
DTSTART:20261210T083000Z
DTEND:20261210T100000Z
RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20261220T083000Z;WKST=MO
EXDATE:20261214T083000Z
RDATE:20261225T083000Z
END:VEVENT
END:VCALENDAR""",
"broken-records.ics": """BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:bad-date
DTSTART:20261340T250000
SUMMARY:bad date
END:VEVENT
BEGIN:VEVENT
SUMMARY:no uid
DTSTART:20261201T100000Z
END:VEVENT
BEGIN:VEVENT
UID:mars
DTSTART;TZID=Mars/Olympus:20261201T100000
END:VEVENT
BEGIN:VEVENT
UID:unterminated
DTSTART:20261201T100000Z
END:VCALENDAR""",
"contacts-v3.vcf": """BEGIN:VCARD
VERSION:3.0
UID:anna-kontakt-001
FN:Jörg Schneider
N:Schneider;Jörg;;;
EMAIL;TYPE=INTERNET,WORK:joerg.schneider@t-online.de
TEL;TYPE=WORK,VOICE:+49 30 7564365
TEL;TYPE=CELL:+49 170 3464033
ADR;TYPE=WORK:;;Kurfürstendamm 103;Frankfurt (Oder);;15230;Deutschland
CATEGORIES:Mandant
X-DOCKET-SUBSCRIBED:TRUE
NOTE:Mandant seit 2021
REV:20261001T080000Z
END:VCARD
BEGIN:VCARD
VERSION:3.0
UID:anna-kontakt-002
FN:Klaus Meyer
N:Meyer;Klaus;;;
ORG:Bauunternehmung Meyer GmbH;Geschäftsführung
TITLE:Inhaber
BDAY:1970-04-01
EMAIL;TYPE=INTERNET,WORK:klaus.meyer@bauunternehmung.de
END:VCARD""",
"contact-v4.vcf": """BEGIN:VCARD
VERSION:4.0
UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1
FN;CHARSET=UTF-8:Dr. Maria Lindner
N:Lindner;Maria;;Dr.;
KIND:individual
EMAIL;TYPE=work;PREF=1:m.lindner@kanzlei-lindner.de
TEL;VALUE=uri;TYPE="voice,work":tel:+49-89-1234567
ADR;TYPE=work;LABEL="Maximilianstr. 1\\n80539 München":;;Maximilianstr. 1;München;Bayern;80539;Deutschland
ANNIVERSARY:20090808T1430-0500
REV:20261001T080000Z
END:VCARD""",
"mixed.ics": f"""BEGIN:VCALENDAR
VERSION:2.0
{BERLIN}
BEGIN:VEVENT
UID:mixed-1
DTSTART;TZID=Europe/Berlin:20261027T020000
DTEND;TZID=Europe/Berlin:20261027T030000
SUMMARY:Termin in der Zeitumstellung
END:VEVENT
END:VCALENDAR
BEGIN:VCARD
VERSION:3.0
UID:mixed-2
FN:Kanzlei Empfang
END:VCARD""",
}

def cdata(s):
    return "<![CDATA[" + s + "]]>"

EVENT = crlf(f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Radicale//NONSGML Radicale Server//EN
BEGIN:VEVENT
UID:e1
DTSTAMP:20261001T080000Z
DTSTART:20261201T100000Z
DTEND:20261201T110000Z
SUMMARY:Mandantengespräch
END:VEVENT
END:VCALENDAR""").decode()
CARD = crlf("""BEGIN:VCARD
VERSION:3.0
UID:c1
FN:A & B Rechtsanwälte
END:VCARD""").decode()

DAV = {
"propfind-calendar.xml": """<?xml version='1.0' encoding='utf-8'?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">
<response><href>/anna/cal/</href><propstat><prop><resourcetype><C:calendar /><collection /></resourcetype>
<getetag>"c-1"</getetag><sync-token>http://radicale.org/ns/sync/322b</sync-token></prop><status>HTTP/1.1 200 OK</status></propstat>
<propstat><prop><CS:getctag /></prop><status>HTTP/1.1 404 Not Found</status></propstat></response>
<response><href>/anna/cal/e1.ics</href><propstat><prop><resourcetype /><getetag>"4766"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>
<response><href>/anna/cal/e%202.ics</href><propstat><prop><getetag>"4767"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>
<response><href>http://other.example/x.ics</href><status>HTTP/1.1 200 OK</status></response>
</multistatus>""",
"sync-collection.xml": """<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:"><d:sync-token>http://radicale.org/ns/sync/9f1c</d:sync-token>
<d:response><d:href>/anna/cal/e1.ics</d:href><d:propstat><d:prop><d:getetag>"4768"</d:getetag></d:prop>
<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/anna/cal/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
<d:response><d:href>/anna/cal/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response>
</d:multistatus>""",
"multiget-calendar.xml": f"""<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:response><D:href>/anna/cal/e1.ics</D:href><D:propstat><D:prop><D:getetag>"4768"</D:getetag>
<C:calendar-data>{cdata(EVENT)}</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
<D:response><D:href>/anna/cal/e3.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
</D:multistatus>""",
"multiget-addressbook.xml": """<?xml version="1.0" encoding="utf-8"?>
<multistatus xmlns="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
<response><href>/anna/ab/c1.vcf</href><propstat><prop><getetag>"e"</getetag>
<CR:address-data>BEGIN:VCARD&#13;
VERSION:3.0&#13;
UID:c1&#13;
FN:A &amp; B Rechtsanwälte&#13;
END:VCARD&#13;
</CR:address-data></prop><status>HTTP/1.1 200 OK</status></propstat>
<propstat><prop><sync-token/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response>
</multistatus>""",
"error-valid-sync-token.xml": """<?xml version='1.0' encoding='utf-8'?>
<error xmlns="DAV:"><valid-sync-token /></error>""",
"not-dav.xml": """<html><head><title>Anmeldung</title></head><body>Bitte melden Sie sich an.</body></html>""",
}

PORT = 50993
STATE = "st4te-Ab_9"

def head(line, host=f"localhost:{PORT}", extra=()):
    lines = [line, f"Host: {host}", "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
             "Accept: text/html,application/xhtml+xml", "Accept-Language: de-DE,de;q=0.9", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()

LOOPBACK = {
"code.http": head(f"GET /?code=0.AXkA1b2c3d4e5f6-g7h8_i9j0kLmNoPqRsTuVwXyZ.AgABAAEAAAD&state={STATE}&session_state=5f2b7c1e-aaaa-bbbb-cccc-0123456789ab HTTP/1.1"),
"error.http": head(f"GET /?error=access_denied&error_subcode=cancel&error_description=AADSTS65004%3a+User+declined+to+consent+to+access+the+app.&state={STATE} HTTP/1.1", host=f"127.0.0.1:{PORT}"),
"consent-required.http": head(f"GET /?error=consent_required&error_description=AADSTS65001&state={STATE} HTTP/1.1", host=f"[::1]:{PORT}"),
"wrong-state.http": head("GET /?code=abc&state=someone-else HTTP/1.1"),
"rebinding-host.http": head(f"GET /?code=abc&state={STATE} HTTP/1.1", host="evil.example:80"),
"favicon.http": head("GET /favicon.ico HTTP/1.1"),
"post.http": head(f"POST /?code=abc&state={STATE} HTTP/1.1", extra=("Content-Length: 0",)),
"twice.http": head(f"GET /?code=a&code=b&state={STATE} HTTP/1.1"),
"encoded.http": head(f"GET /?state=st4te%2DAb%5F9&code=%30%2E%41+x HTTP/1.0"),
}

def token(status, body, auth_code=False):
    if not isinstance(body, bytes):
        body = json.dumps(body, ensure_ascii=False).encode()
    return struct.pack(">H", status) + bytes([1 if auth_code else 0]) + body

def entra(error, code, desc):
    return {"error": error, "error_description": f"AADSTS{code}: {desc}\r\nTrace ID: 0b6e6f41-8e5c-4a43-9c05-1b2e4f2a7d00\r\nCorrelation ID: 7c1f0b0e-1111-2222-3333-444455556666\r\nTimestamp: 2026-12-01 08:00:00Z",
            "error_codes": [code], "timestamp": "2026-12-01 08:00:00Z", "trace_id": "0b6e6f41-8e5c-4a43-9c05-1b2e4f2a7d00",
            "correlation_id": "7c1f0b0e-1111-2222-3333-444455556666", "error_uri": "https://login.microsoftonline.com/error?code=%d" % code}

TOKEN = {
"password-changed.bin": token(400, entra("invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.")),
"sign-in-frequency.bin": token(400, entra("invalid_grant", 70043, "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on 2026-11-30T08:00:00Z and the maximum allowed lifetime for this request is 1.00:00:00.")),
"sign-in-frequency-seconds.bin": token(400, entra("invalid_grant", 70043, "The refresh token has expired ... the maximum allowed lifetime for this request is 86400.")),
"consent-auth-code.bin": token(400, entra("invalid_grant", 65001, "The user or administrator has not consented to use the application."), auth_code=True),
"secret-expired.bin": token(401, entra("invalid_client", 7000222, "The provided client secret keys for app '…' are expired.")),
"mfa.bin": token(400, entra("interaction_required", 50076, "Due to a configuration change made by your administrator, you must use multi-factor authentication.")),
"throttled.bin": token(429, entra("temporarily_unavailable", 50196, "The server terminated an operation because it encountered a client request loop.")),
"proxy-html-502.bin": token(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
"captive-portal-200.bin": token(200, b"<!DOCTYPE html><html><title>WLAN Anmeldung</title></html>"),
"unknown-error.bin": token(400, {"error": "invalid_scope", "error_codes": [], "error_description": "AADSTS70011"}),
}

def graph(mode, body, status=None):
    if not isinstance(body, bytes):
        body = json.dumps(body, ensure_ascii=False).encode()
    prefix = bytes([mode]) + (bytes([status - 300]) if status is not None else b"")
    return prefix + body

EVENT_JSON = {"@odata.etag": "W/\"DwAAABYAAABX\"", "id": "AAMkAGI2TG93AAA=", "changeKey": "DwAAABYAAABX",
              "subject": "Kanzleibesprechung", "type": "seriesMaster", "categories": ["Docket Sync"],
              "start": {"dateTime": "2026-11-02T09:00:00.0000000", "timeZone": "W. Europe Standard Time"},
              "singleValueExtendedProperties": [{"id": "String {66f5a359-4659-4830-9070-00049ec6ac6e} Name DocketSyncKey", "value": "appointment:anna-serie"}]}

GRAPH = {
"events-page.bin": graph(0, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('me')/events", "value": [EVENT_JSON],
                              "@odata.nextLink": "https://graph.microsoft.com/v1.0/me/events?$skip=100&$top=100"}),
"delta-last-page.bin": graph(0, {"value": [{"id": "AAMkAGI2TG94AAA=", "@removed": {"reason": "deleted"}},
                                           {"id": "AAMkAGI2TG95AAA=", "@removed": {"reason": "changed"}},
                                           {**EVENT_JSON, "type": "occurrence", "seriesMasterId": "AAMkAGI2TG93AAA="}],
                                 "@odata.deltaLink": "https://graph.microsoft.com/v1.0/me/calendarView/delta?$deltatoken=R0usmcMp8aBc"}),
"todo-page.bin": graph(0, {"value": [{"id": "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A", "title": "Berufungsbegründungsfrist", "status": "notStarted",
                                      "importance": "high", "dueDateTime": {"dateTime": "2026-12-15T00:00:00.0000000", "timeZone": "UTC"}}]}),
"batch.bin": graph(1, {"responses": [
    {"id": "1", "status": 201, "headers": {"Location": "https://graph.microsoft.com/v1.0/me/events/AAMk1", "OData-Version": "4.0"}, "body": EVENT_JSON},
    {"id": "0", "status": 429, "headers": {"Retry-After": "3"}, "body": {"error": {"code": "ApplicationThrottled", "message": "Application is over its MailboxConcurrency limit."}}},
    {"id": "2", "status": 404, "body": {"error": {"code": "ErrorItemNotFound", "message": "The specified object was not found in the store."}}},
    {"id": "3", "status": 204, "body": None},
    {"id": "4", "status": 503, "headers": {"Retry-After": "Wed, 02 Dec 2026 03:00:00 GMT"}},
    {"id": "5", "status": 65736}]}),
"error-not-found.bin": graph(2, {"error": {"code": "ErrorItemNotFound", "message": "The specified object was not found in the store.",
                                           "innerError": {"date": "2026-12-01T08:00:00", "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2"}}}, status=404),
"error-sync-state.bin": graph(2, {"error": {"code": "syncStateNotFound", "message": "The sync state generation is not found."}}, status=410),
"error-throttled-html.bin": graph(2, b"<html><body>Too Many Requests</body></html>", status=429),
"retry-after-seconds.bin": graph(3, b"2.5"),
"retry-after-date.bin": graph(3, b"Wed, 02 Dec 2026 03:00:00 GMT"),
}

GRAPH["foreign-next-link.bin"] = graph(0, {"value": [EVENT_JSON],
    "@odata.nextLink": "https://graph.microsoft.com.evil.example/v1.0/me/events?$skip=100"})

MAX_HEAD = 16 * 1024

def pieces(size, sent):
    """loopback_head: each read `size` bytes (1 to 8192), then the bytes."""
    return struct.pack(">H", size - 1) + sent

def padded(total):
    """A valid callback padded with one header to `total` bytes."""
    start = head(f"GET /?code=abc&state={STATE} HTTP/1.1")[:-2]
    pad = b"X-Pad: "
    return start + pad + b"a" * (total - len(start) - len(pad) - 4) + b"\r\n\r\n"

CODE = LOOPBACK["code.http"]
LOOPBACK_HEAD = {
"code-one-read.bin": pieces(8192, CODE),
"code-byte-by-byte.bin": pieces(1, CODE),
"code-threes-pipelined.bin": pieces(3, CODE + b"GET /favicon.ico HTTP/1.1\r\nHost: localhost\r\n\r\n"),
"cut-off.bin": pieces(7, CODE[:-3]),
"exactly-16k.bin": pieces(4096, padded(MAX_HEAD)),
"just-over-16k.bin": pieces(4096, padded(MAX_HEAD + 1)),
"padded-17000.bin": pieces(4096, padded(17000)),
"long-request-line.bin": pieces(4096, b"GET /?pad=" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n"),
}

def link(base, text):
    """graph_links: one byte picks the base (see GRAPH_BASES), then the link."""
    return bytes([base]) + text.encode()

GRAPH_LINKS = {
"next-link.bin": link(0, "https://graph.microsoft.com/v1.0/me/events?$skip=100&$top=100"),
"delta-link.bin": link(0, "https://graph.microsoft.com/v1.0/me/calendarView/delta?$deltatoken=R0usmcMp8aBc"),
"relative.bin": link(0, "/me/todo/lists/AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A/tasks?$top=100"),
"case-and-port.bin": link(0, "HTTPS://Graph.Microsoft.COM:443/v1.0/me/events"),
"lookalike-host.bin": link(0, "https://graph.microsoft.com.evil.example/v1.0/me/events"),
"userinfo.bin": link(0, "https://graph.microsoft.com@evil.example/v1.0/me/events"),
"plain-http.bin": link(0, "http://graph.microsoft.com/v1.0/me/events"),
"other-port.bin": link(0, "https://graph.microsoft.com:8443/v1.0/me/events"),
"encoded-host.bin": link(0, "https://graph%2Emicrosoft%2Ecom/v1.0/me/events"),
"protocol-relative.bin": link(0, "//evil.example/v1.0/me/events"),
"emulator.bin": link(1, "http://127.0.0.1:50994/v1.0/me/events/delta?$skiptoken=x"),
"emulator-localhost.bin": link(1, "http://localhost:50994/v1.0/me/events"),
"no-path-base-at.bin": link(2, "@evil.example/me/events"),
"us-government.bin": link(3, "https://graph.microsoft.us/v1.0/me/contacts?$skip=100"),
}

def write(target, files):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        if isinstance(data, str):
            data = crlf(data) if target == "ical_vcard" else data.encode()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

write("ical_vcard", ICAL)
write("dav_xml", DAV)
write("loopback", LOOPBACK)
write("token_response", TOKEN)
write("graph", GRAPH)
write("loopback_head", LOOPBACK_HEAD)
write("graph_links", GRAPH_LINKS)

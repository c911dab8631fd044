#!/usr/bin/env python3
"""Generates the bundled sample firm ("Kanzlei Demo") for docket-source.

Run from anywhere:  python3 crates/docket-source/sample/generate.py
The output is deterministic (fixed seed, fixed dates); commit the files it
writes. Dates lie between 2026-11-02 and 2027-06-30 (see docs/sources.md).

Two fee-earners:
  anna.berger@kanzlei-demo.onmicrosoft.com   German, Europe/Berlin, vCard 3.0
  james.wright@kanzlei-demo.onmicrosoft.com  English, Europe/London, vCard 4.0

A few records are broken ON PURPOSE so the demo shows per-item problems:
  anna  termine.ics   bad date (DTSTART 2026-13-40)       uid anna-termin-broken-date
  anna  termine.ics   Latin-1 byte in SUMMARY (not UTF-8)  uid anna-termin-broken-utf8
  anna  fristen.ics   Wiedervorlage without UID
  james appointments  unknown time zone 'Europe/Londn'     uid james-appt-broken-tz
  james contacts.vcf  vCard without UID
"""

import datetime as dt
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = dt.date(2026, 11, 2)  # a Monday
LAST = dt.date(2027, 6, 30)
STAMP = "20261001T080000Z"


# ----------------------------------------------------------------- helpers

def esc(text):
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line):
    """RFC 5545 §3.1 folding at 75 octets, never inside a UTF-8 sequence."""
    data = line.encode("utf-8")
    out, limit = [], 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(data[:cut])
        data = data[cut:]
        limit = 74  # continuation lines start with a space
    out.append(data)
    return b"\r\n ".join(out)


def write(path, lines):
    """lines: str or bytes (bytes are written raw: the broken-UTF-8 case)."""
    body = b"".join((l if isinstance(l, bytes) else fold(l)) + b"\r\n" for l in lines)
    with open(os.path.join(HERE, path), "wb") as f:
        f.write(body)
    return len(body)


def d(day):
    return day.strftime("%Y%m%d")


def t(day, hh, mm=0):
    return f"{d(day)}T{hh:02d}{mm:02d}00"


def workdays(rng, count):
    days = []
    span = (LAST - BASE).days
    while len(days) < count:
        day = BASE + dt.timedelta(days=rng.randrange(span))
        if day.weekday() < 5:
            days.append(day)
    return sorted(days)


VTZ_WINDOWS_BERLIN = [
    "BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time",
    "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
    "END:VTIMEZONE",
]

VTZ_BERLIN = [
    "BEGIN:VTIMEZONE", "TZID:Europe/Berlin", "X-LIC-LOCATION:Europe/Berlin",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
    "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
    "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
]

VTZ_LONDON = [
    "BEGIN:VTIMEZONE", "TZID:Europe/London", "X-LIC-LOCATION:Europe/London",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100", "TZNAME:BST",
    "DTSTART:19700329T010000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "TZNAME:GMT",
    "DTSTART:19701025T020000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
]


def calendar(prodid, vtimezones, components):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}", "CALSCALE:GREGORIAN"]
    for vtz in vtimezones:
        lines += vtz
    for comp in components:
        lines += comp
    lines.append("END:VCALENDAR")
    return lines


def vevent(uid, summary, start, end, tzid=None, location=None, description=None,
           categories=(), private=False, reminder=None, rrule=None, exdates=(),
           all_day=False, transparent=False, cancelled=False):
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{STAMP}",
             f"LAST-MODIFIED:{STAMP}", f"SUMMARY:{esc(summary)}"]
    if all_day:
        lines += [f"DTSTART;VALUE=DATE:{d(start)}", f"DTEND;VALUE=DATE:{d(end)}"]
    else:
        lines += [f"DTSTART;TZID={tzid}:{start}", f"DTEND;TZID={tzid}:{end}"]
    if rrule:
        lines.append(f"RRULE:{rrule}")
    for ex in exdates:
        lines.append(f"EXDATE;TZID={tzid}:{ex}")
    if location:
        lines.append(f"LOCATION:{esc(location)}")
    if description:
        lines.append(f"DESCRIPTION:{esc(description)}")
    if categories:
        lines.append("CATEGORIES:" + ",".join(esc(c) for c in categories))
    if private:
        lines.append("CLASS:PRIVATE")
    if transparent:
        lines.append("TRANSP:TRANSPARENT")
    if cancelled:
        lines.append("STATUS:CANCELLED")
    if reminder is not None:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Erinnerung",
                  f"TRIGGER:-PT{reminder}M", "END:VALARM"]
    lines.append("END:VEVENT")
    return lines


def vtodo(uid, summary, due, tzid=None, description=None, categories=(), kind=None,
          priority=None, vorfrist_days=None, completed=None, private=False):
    lines = ["BEGIN:VTODO"]
    if uid:
        lines.append(f"UID:{uid}")
    lines += [f"DTSTAMP:{STAMP}", f"LAST-MODIFIED:{STAMP}", f"SUMMARY:{esc(summary)}"]
    if tzid:
        lines.append(f"DUE;TZID={tzid}:{t(due, 23, 59)}")
    else:
        lines.append(f"DUE;VALUE=DATE:{d(due)}")
    if description:
        lines.append(f"DESCRIPTION:{esc(description)}")
    if categories:
        lines.append("CATEGORIES:" + ",".join(esc(c) for c in categories))
    if kind:
        lines.append(f"X-DOCKET-KIND:{kind}")
    if priority is not None:
        lines.append(f"PRIORITY:{priority}")
    if private:
        lines.append("CLASS:CONFIDENTIAL")
    if completed:
        lines += ["STATUS:COMPLETED", f"COMPLETED:{t(completed, 10, 15)}Z"]
    else:
        lines.append("STATUS:NEEDS-ACTION")
    if vorfrist_days:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Vorfrist",
                  f"TRIGGER;RELATED=END:-P{vorfrist_days}D", "END:VALARM"]
    lines.append("END:VTODO")
    return lines


# ----------------------------------------------------------------- people

DE_GIVEN = ["Thomas", "Sabine", "Michael", "Petra", "Andreas", "Claudia", "Stefan", "Monika",
            "Frank", "Susanne", "Jürgen", "Birgit", "Klaus", "Heike", "Matthias", "Katrin",
            "Uwe", "Nicole", "Jörg", "Anja"]
DE_FAMILY = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
             "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
             "Schröder", "Neumann", "Schwarz", "Zimmermann"]
DE_FIRMS = ["Bauunternehmung {} GmbH", "{} Immobilien KG", "Autohaus {} e.K.",
            "{} & Söhne Spedition GmbH", "Praxis Dr. {}", "{} Software AG"]
DE_CITIES = [("Berlin", "10117"), ("Potsdam", "14467"), ("Berlin", "10785"),
             ("Cottbus", "03046"), ("Berlin", "13353"), ("Frankfurt (Oder)", "15230")]
DE_STREETS = ["Friedrichstraße", "Kurfürstendamm", "Karl-Marx-Allee", "Brandenburger Straße",
              "Schönhauser Allee", "Unter den Linden", "Potsdamer Straße"]
DE_COURTS = [("LG Berlin II", "Landgericht Berlin II, Tegeler Weg 17-21, 10589 Berlin"),
             ("AG Charlottenburg", "Amtsgericht Charlottenburg, Amtsgerichtsplatz 1, 14057 Berlin"),
             ("ArbG Berlin", "Arbeitsgericht Berlin, Magdeburger Platz 1, 10785 Berlin"),
             ("KG Berlin", "Kammergericht, Elßholzstraße 30-33, 10781 Berlin")]

EN_GIVEN = ["Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Emily", "Charlie",
            "Sophie", "Thomas", "Grace", "William", "Lily", "Arjun", "Priya", "Daniel", "Chloe",
            "Samuel", "Hannah"]
EN_FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
             "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts",
             "Green", "Hall", "Khan", "Clarke"]
EN_FIRMS = ["{} Holdings Ltd", "{} & Partners LLP", "{} Logistics plc", "{} Estates Ltd",
            "{} Engineering Ltd", "{} Pharma Ltd"]
EN_CITIES = [("London", "EC4A 1DE"), ("London", "WC2A 2LL"), ("Reading", "RG1 1AF"),
             ("Croydon", "CR0 2RH"), ("London", "SE1 9SG"), ("Guildford", "GU1 3AA")]
EN_STREETS = ["Fleet Street", "Chancery Lane", "High Street", "Queen Victoria Street",
              "Borough High Street", "Kingsway", "Gray's Inn Road"]
EN_COURTS = [("Central London County Court", "Central London County Court, Thomas More Building, Strand, London WC2A 2LL"),
             ("High Court (KBD)", "Royal Courts of Justice, Strand, London WC2A 2LL"),
             ("Employment Tribunal", "London Central Employment Tribunal, Ground Floor, Victory House, 30-34 Kingsway, London WC2B 6EX"),
             ("Mayor's and City County Court", "Mayor's and City of London Court, Guildhall Buildings, Basinghall Street, London EC2V 5AR")]


def people(rng, given, family, firms, count):
    out, used = [], set()
    while len(out) < count:
        g, f = rng.choice(given), rng.choice(family)
        if (g, f) in used:
            continue
        used.add((g, f))
        firm = rng.choice(firms).format(f) if rng.random() < 0.5 else None
        out.append((g, f, firm))
    return out


def ascii_mail(name):
    return (name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
            .replace("ß", "ss").replace(" ", "").replace("'", ""))


# ----------------------------------------------------------------- Anna

def anna():
    rng = random.Random(20261102)
    tz = "Europe/Berlin"
    clients = people(rng, DE_GIVEN, DE_FAMILY, DE_FIRMS, 34)
    events = []

    # Series: across the DST change of 28 March 2027.
    events.append(vevent(
        "anna-serie-kanzleibesprechung", "Kanzleibesprechung (Jour fixe)",
        t(BASE, 9), t(BASE, 10), tz, location="Kanzlei, Besprechungsraum 1",
        categories=["Intern"], reminder=10,
        rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20270628T070000Z",
        exdates=[t(dt.date(2026, 12, 28), 9), t(dt.date(2027, 1, 4), 9)]))
    events.append(vevent(
        "anna-serie-mandantensprechstunde", "Sprechstunde Mieterverein Mitte",
        t(dt.date(2026, 11, 4), 16), t(dt.date(2026, 11, 4), 18), tz,
        location="Mieterverein Berlin-Mitte, Brunnenstraße 12",
        categories=["Mandant", "Beratung"], rrule="FREQ=MONTHLY;BYDAY=1WE;COUNT=8"))
    events.append(vevent(
        "anna-serie-referendare", "Ausbildungsgespräch Referendare",
        t(dt.date(2026, 11, 5), 14), t(dt.date(2026, 11, 5), 15), "W. Europe Standard Time",
        location="Büro A. Berger", categories=["Intern"],
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=16"))

    kinds = ["mandant"] * 30 + ["gericht"] * 18 + ["telefon"] * 10 + ["privat"] * 5
    for n, day in enumerate(workdays(rng, len(kinds)), start=1):
        kind = kinds[rng.randrange(len(kinds))]
        g, f, firm = rng.choice(clients)
        az = f"{rng.randrange(1, 400)}/{26 + rng.randrange(2)}"
        hh = rng.choice([8, 9, 10, 11, 13, 14, 15, 16])
        zone = "W. Europe Standard Time" if n % 7 == 0 else tz
        if kind == "mandant":
            who = firm or f"{g} {f}"
            events.append(vevent(
                f"anna-termin-{n:03d}", f"Mandantentermin {who}", t(day, hh), t(day, hh + 1), zone,
                location=rng.choice(["Kanzlei, Besprechungsraum 2", "Kanzlei, Besprechungsraum 1",
                                     f"Beim Mandanten: {rng.choice(DE_STREETS)} {rng.randrange(1, 120)}, Berlin"]),
                description=f"Akte {az} – {who}\nUnterlagen: Vertrag, Schriftverkehr, Vollmacht",
                categories=["Mandant"], reminder=rng.choice([None, 15, 30]),
                private=rng.random() < 0.15))
        elif kind == "gericht":
            court, address = rng.choice(DE_COURTS)
            events.append(vevent(
                f"anna-termin-{n:03d}", f"Mündliche Verhandlung {court}, Az. {rng.randrange(1, 99)} O {az}",
                t(day, hh), t(day, hh + 2), zone, location=address,
                description=f"Sache {f} ./. {rng.choice(DE_FAMILY)}\nRobe mitnehmen! Anreise 30 Min. vorher.",
                categories=["Gericht"], reminder=60))
        elif kind == "telefon":
            events.append(vevent(
                f"anna-termin-{n:03d}", f"Telefonkonferenz {firm or f}", t(day, hh, 30), t(day, hh + 1), zone,
                description=f"Einwahl: +49 30 901820 / PIN {rng.randrange(100000, 999999)}",
                categories=["Mandant", "Telefon"], reminder=5))
        else:
            events.append(vevent(
                f"anna-termin-{n:03d}", rng.choice(["Zahnarzt", "Elternabend", "Physiotherapie", "Termin Bürgeramt"]),
                t(day, 17), t(day, 18), tz, private=True, categories=["Privat"]))

    # All-day items.
    events.append(vevent("anna-ganztag-urlaub-winter", "Urlaub", dt.date(2026, 12, 23), dt.date(2027, 1, 4),
                         all_day=True, categories=["Abwesend"], transparent=False))
    events.append(vevent("anna-ganztag-fortbildung", "Fortbildung Fachanwalt Arbeitsrecht (§ 15 FAO)",
                         dt.date(2027, 2, 18), dt.date(2027, 2, 20), all_day=True,
                         location="DAV Fortbildung, Littenstraße 11, Berlin", categories=["Fortbildung"]))
    events.append(vevent("anna-ganztag-heiligabend", "Kanzlei geschlossen", dt.date(2026, 12, 24),
                         dt.date(2026, 12, 25), all_day=True, transparent=True, categories=["Intern"]))
    events.append(vevent("anna-ganztag-urlaub-ostern", "Urlaub (Ostern)", dt.date(2027, 3, 29),
                         dt.date(2027, 4, 3), all_day=True, categories=["Abwesend"], private=True))
    events.append(vevent("anna-termin-abgesagt", "Mandantentermin Wolf (abgesagt)",
                         t(dt.date(2026, 11, 12), 10), t(dt.date(2026, 11, 12), 11), tz,
                         categories=["Mandant"], cancelled=True))
    # Deliberately broken: an impossible date, and a Latin-1 byte.
    events.append(vevent("anna-termin-broken-date", "Güteverhandlung ArbG Berlin",
                         "20261340T090000", "20261340T100000", tz, categories=["Gericht"]))
    utf8_broken = [l for l in vevent("anna-termin-broken-utf8", "Besprechung M@ller",
                                     t(dt.date(2026, 11, 20), 11), t(dt.date(2026, 11, 20), 12), tz)]
    utf8_broken = [l.encode("utf-8").replace(b"@", b"\xfc") if "@" in l else l for l in utf8_broken]
    events.append(utf8_broken)

    size = write("anna.berger/termine.ics", calendar(
        "-//Kanzlei Demo//AnwaltsPMS 7.2//DE", [VTZ_BERLIN, VTZ_WINDOWS_BERLIN], events))

    # Deadlines (Fristen) and follow-ups (Wiedervorlagen).
    todos = []
    fristen = [("Berufungsfrist", 14, 1), ("Berufungsbegründungsfrist", 14, 1),
               ("Klageerwiderungsfrist", 7, 2), ("Revisionsfrist", 14, 1),
               ("Stellungnahmefrist", 3, 3), ("Einspruchsfrist Versäumnisurteil", 3, 1),
               ("Verjährung", 30, 1), ("Frist zur Replik", 5, 3)]
    for n, day in enumerate(workdays(rng, 28), start=1):
        name, vorfrist, prio = rng.choice(fristen)
        g, f, firm = rng.choice(clients)
        az = f"{rng.randrange(1, 400)}/{26 + rng.randrange(2)}"
        done = day - dt.timedelta(days=2) if day < dt.date(2026, 12, 1) and rng.random() < 0.5 else None
        todos.append(vtodo(
            f"anna-frist-{n:03d}", f"{name} – {firm or f} (Az. {az})", day,
            tzid=tz if n % 4 == 0 else None,
            description=f"Fristablauf {day.strftime('%d.%m.%Y')}. Vorfrist {vorfrist} Tage.\nSachbearbeitung: A. Berger",
            categories=["Frist"], priority=prio, vorfrist_days=vorfrist, completed=done,
            private=rng.random() < 0.1))
    for n, day in enumerate(workdays(rng, 17), start=1):
        g, f, firm = rng.choice(clients)
        todos.append(vtodo(
            f"anna-wv-{n:03d}", f"Wiedervorlage: {rng.choice(['Sachstand', 'Zahlungseingang', 'Antwort Gegenseite', 'Gutachten'])} {firm or f}",
            day, categories=["Wiedervorlage"], kind="followup" if n % 3 == 0 else None, priority=5))
    # Deliberately broken: no UID.
    todos.append(vtodo(None, "Wiedervorlage: Akte Neumann prüfen", dt.date(2026, 12, 7),
                       categories=["Wiedervorlage"]))
    size += write("anna.berger/fristen.ics", calendar(
        "-//Kanzlei Demo//AnwaltsPMS 7.2//DE", [VTZ_BERLIN], todos))

    # Contacts (vCard 3.0).
    cards = []
    for n, (g, f, firm) in enumerate(clients, start=1):
        city, plz = rng.choice(DE_CITIES)
        mail_domain = ascii_mail(firm.split()[0] if firm else "t-online") + ".de"
        lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:anna-kontakt-{n:03d}",
                 f"FN:{esc(g)} {esc(f)}", f"N:{esc(f)};{esc(g)};;;"]
        if firm:
            lines.append(f"ORG:{esc(firm)}")
            lines.append(f"TITLE:{rng.choice(['Geschäftsführer', 'Prokuristin', 'Inhaber', 'Leiterin Recht'])}")
        lines.append(f"EMAIL;TYPE=INTERNET,WORK:{ascii_mail(g)}.{ascii_mail(f)}@{mail_domain}")
        if rng.random() < 0.3:
            lines.append(f"EMAIL;TYPE=INTERNET,HOME:{ascii_mail(g)}{n}@gmx.de")
        lines.append(f"TEL;TYPE=WORK,VOICE:+49 30 {rng.randrange(2000000, 9999999)}")
        if rng.random() < 0.6:
            lines.append(f"TEL;TYPE=CELL:+49 1{rng.choice(['51', '60', '70', '76'])} {rng.randrange(1000000, 9999999)}")
        lines.append(f"ADR;TYPE=WORK:;;{esc(rng.choice(DE_STREETS))} {rng.randrange(1, 200)};{esc(city)};;{plz};Deutschland")
        lines.append("CATEGORIES:" + ",".join(["Mandant"] + (["Outlook"] if n % 3 == 0 else [])))
        if n % 3 != 0 and n % 2 == 0:
            lines.append("X-DOCKET-SUBSCRIBED:TRUE")
        lines.append(f"NOTE:Mandant seit {2010 + rng.randrange(16)}")
        lines.append(f"REV:{STAMP}")
        lines.append("END:VCARD")
        cards.append(lines)
    for n, (court, address) in enumerate(DE_COURTS, start=1):
        street, rest = address.split(", ", 1)[1].split(", ", 1)
        plz, city = rest.split(" ", 1)
        cards.append(["BEGIN:VCARD", "VERSION:3.0", f"UID:anna-gericht-{n:02d}", f"FN:{esc(court)}",
                      f"ORG:{esc(address.split(', ')[0])}", f"TEL;TYPE=WORK,VOICE:+49 30 9014-{n}000",
                      f"ADR;TYPE=WORK:;;{esc(street)};{esc(city)};;{plz};Deutschland",
                      "CATEGORIES:Gericht", "X-DOCKET-SUBSCRIBED:TRUE", "END:VCARD"])
    size += write("anna.berger/kontakte.vcf", [l for c in cards for l in c])
    return size


# ----------------------------------------------------------------- James

def james():
    rng = random.Random(20270630)
    tz = "Europe/London"
    clients = people(rng, EN_GIVEN, EN_FAMILY, EN_FIRMS, 34)
    events = []
    events.append(vevent(
        "james-series-team-meeting", "Litigation team meeting",
        t(dt.date(2026, 11, 3), 9, 30), t(dt.date(2026, 11, 3), 10, 15), tz,
        location="4th floor, Meeting Room Temple", categories=["Internal"], reminder=10,
        rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T235959Z",
        exdates=[t(dt.date(2026, 12, 29), 9, 30)]))
    events.append(vevent(
        "james-series-partners-lunch", "Partners' lunch", t(dt.date(2026, 11, 27), 12, 30),
        t(dt.date(2026, 11, 27), 14), tz, location="The Old Bank of England, 194 Fleet Street",
        categories=["Internal"], rrule="FREQ=MONTHLY;BYDAY=-1FR;COUNT=8"))
    events.append(vevent(
        "james-series-pro-bono", "Pro bono advice clinic", t(dt.date(2026, 11, 4), 18),
        t(dt.date(2026, 11, 4), 20), tz, location="Islington Law Centre",
        categories=["Pro bono"], rrule="FREQ=MONTHLY;BYDAY=1WE;UNTIL=20270607T000000Z",
        transparent=True))

    kinds = ["client"] * 30 + ["hearing"] * 18 + ["call"] * 10 + ["private"] * 5
    for n, day in enumerate(workdays(rng, len(kinds)), start=1):
        kind = kinds[rng.randrange(len(kinds))]
        g, f, firm = rng.choice(clients)
        hh = rng.choice([9, 10, 11, 12, 14, 15, 16])
        ref = f"{rng.choice(['KB', 'HC', 'K'])}-2026-{rng.randrange(100, 999):03d}"
        if kind == "client":
            who = firm or f"{g} {f}"
            events.append(vevent(
                f"james-appt-{n:03d}", f"Client meeting: {who}", t(day, hh), t(day, hh + 1), tz,
                location=rng.choice(["Meeting Room Temple", "Meeting Room Lincoln", f"Client's offices, {rng.choice(EN_STREETS)}"]),
                description=f"Matter {ref} – {who}\nBring engagement letter and draft witness statement.",
                categories=["Client"], reminder=rng.choice([None, 15, 30]), private=rng.random() < 0.15))
        elif kind == "hearing":
            court, address = rng.choice(EN_COURTS)
            other = rng.choice(EN_FAMILY)
            events.append(vevent(
                f"james-appt-{n:03d}", f"Hearing: {f} v {other} ({court})", t(day, 10), t(day, 13), tz,
                location=address, description=f"Claim no. {ref}. Counsel: {rng.choice(EN_GIVEN)} {rng.choice(EN_FAMILY)} of 3 Temple Gardens.",
                categories=["Court"], reminder=90))
        elif kind == "call":
            events.append(vevent(
                f"james-appt-{n:03d}", f"Call with {g} {f}", t(day, hh, 30), t(day, hh + 1), tz,
                description="Teams link in the invitation sent by the client.",
                categories=["Client", "Call"], reminder=5))
        else:
            events.append(vevent(
                f"james-appt-{n:03d}", rng.choice(["Dentist", "School parents' evening", "GP appointment", "Gym"]),
                t(day, 17, 30), t(day, 18, 30), tz, private=True, categories=["Personal"]))
    events.append(vevent("james-allday-leave-christmas", "Annual leave", dt.date(2026, 12, 21),
                         dt.date(2027, 1, 2), all_day=True, categories=["Out of office"]))
    events.append(vevent("james-allday-bank-holiday-may", "Early May bank holiday", dt.date(2027, 5, 3),
                         dt.date(2027, 5, 4), all_day=True, transparent=True))
    events.append(vevent("james-allday-conference", "Civil Justice Council National Forum",
                         dt.date(2027, 3, 11), dt.date(2027, 3, 13), all_day=True,
                         location="Manchester", categories=["Training"]))
    # A flight: starts in London, ends in Berlin.
    flight = vevent("james-appt-flight-berlin", "Flight BA 982 London Heathrow → Berlin",
                    t(dt.date(2027, 4, 14), 7, 25), t(dt.date(2027, 4, 14), 10, 20), tz,
                    categories=["Travel"])
    flight = [l.replace("DTEND;TZID=Europe/London", "DTEND;TZID=Europe/Berlin") for l in flight]
    events.append(flight)
    # Deliberately broken: a misspelt time zone.
    events.append(vevent("james-appt-broken-tz", "Hearing: Green v Hall (costs)",
                         t(dt.date(2027, 1, 19), 10), t(dt.date(2027, 1, 19), 12), "Europe/Londn",
                         categories=["Court"]))
    size = write("james.wright/appointments.ics", calendar(
        "-//Kanzlei Demo//CasePro 12.1//EN", [VTZ_LONDON], events))

    todos = []
    deadlines = [("Limitation expires", 60, 1), ("Serve particulars of claim", 7, 1),
                 ("File defence", 7, 1), ("Exchange witness statements", 14, 2),
                 ("File costs budget (Precedent H)", 7, 2), ("Appeal: file appellant's notice", 7, 1),
                 ("Respond to Part 18 request", 5, 3)]
    for n, day in enumerate(workdays(rng, 26), start=1):
        name, warn, prio = rng.choice(deadlines)
        g, f, firm = rng.choice(clients)
        done = day - dt.timedelta(days=1) if day < dt.date(2026, 12, 1) and rng.random() < 0.5 else None
        todos.append(vtodo(
            f"james-deadline-{n:03d}", f"{name} – {firm or f'{g} {f}'}", day,
            tzid=tz if n % 5 == 0 else None,
            description=f"Deadline {day.strftime('%d %B %Y')}. Diarised {warn} days ahead.",
            categories=["Deadline"], priority=prio, vorfrist_days=warn, completed=done))
    for n, day in enumerate(workdays(rng, 14), start=1):
        g, f, firm = rng.choice(clients)
        todos.append(vtodo(
            f"james-followup-{n:03d}", f"Chase {rng.choice(['client for documents', 'other side for reply', 'counsel for advice', 'payment on account'])}: {firm or f}",
            day, categories=["Follow-up"], priority=5))
    size += write("james.wright/deadlines.ics", calendar(
        "-//Kanzlei Demo//CasePro 12.1//EN", [VTZ_LONDON], todos))

    cards = []
    for n, (g, f, firm) in enumerate(clients, start=1):
        city, postcode = rng.choice(EN_CITIES)
        lines = ["BEGIN:VCARD", "VERSION:4.0", f"UID:urn:uuid:{uuid_like(rng)}",
                 f"FN:{esc(g)} {esc(f)}", f"N:{esc(f)};{esc(g)};;;"]
        if firm:
            lines += [f"ORG:{esc(firm)}", f"TITLE:{rng.choice(['Director', 'General Counsel', 'Finance Director', 'Partner'])}"]
        domain = ascii_mail(firm.split()[0]) + ".co.uk" if firm else "btinternet.com"
        lines.append(f"EMAIL;TYPE=work:{ascii_mail(g)}.{ascii_mail(f)}@{domain}")
        lines.append(f"TEL;VALUE=uri;TYPE=\"voice,work\":tel:+44-20-{rng.randrange(7000, 7999)}-{rng.randrange(1000, 9999)}")
        if rng.random() < 0.5:
            lines.append(f"TEL;VALUE=uri;TYPE=cell:tel:+44-7{rng.randrange(700, 999)}-{rng.randrange(100000, 999999)}")
        lines.append(f"ADR;TYPE=work:;;{rng.randrange(1, 200)} {esc(rng.choice(EN_STREETS))};{esc(city)};;{postcode};United Kingdom")
        lines.append("CATEGORIES:Client")
        lines.append(f"X-DOCKET-SUBSCRIBED:{'TRUE' if n % 2 else 'FALSE'}")
        lines.append(f"REV:{STAMP}")
        lines.append("END:VCARD")
        cards.append(lines)
    for n, (court, address) in enumerate(EN_COURTS, start=1):
        cards.append(["BEGIN:VCARD", "VERSION:4.0", f"UID:james-court-{n:02d}", f"FN:{esc(court)}",
                      "KIND:org", f"ORG:{esc(court)}", f"NOTE:{esc(address)}",
                      "CATEGORIES:Court,Outlook", "END:VCARD"])
    # Deliberately broken: no UID.
    cards.append(["BEGIN:VCARD", "VERSION:4.0", "FN:Rachel Green", "N:Green;Rachel;;;",
                  "EMAIL;TYPE=work:rachel.green@greenhall.co.uk", "CATEGORIES:Counsel", "END:VCARD"])
    size += write("james.wright/contacts.vcf", [l for c in cards for l in c])
    return size


def uuid_like(rng):
    h = "%032x" % rng.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


if __name__ == "__main__":
    total = anna() + james()
    print(f"wrote {total} bytes")

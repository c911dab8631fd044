# Die Hilfe der Kommandozeile (`docketsync --help`, `-h`, `docketsync help
# <Befehl>`): was clap zeigt, in der Sprache des Lesers (`cli.rs` setzt
# diese Texte in den Befehl von clap ein, bevor es die Argumente liest).
#
# cli-help-command-<Befehl> beschreibt einen Befehl (verschachtelte Befehle
# mit „-“ verbunden: cli-help-command-client-secret-set; das Programm
# selbst ist cli-help-command), mit einem optionalen .after unter den
# Optionen. cli-help-arg-<Argument> ist die Hilfe einer Option;
# cli-help-arg-<Befehl>-<Argument> ersetzt sie für einen Befehl. Was clap
# selbst an eine Hilfezeile hängt ([possible values: …], [env: …],
# [default: …]), wird nicht gezeigt: der Hilfetext sagt es.

# Überschriften, Platzhalter und Wertnamen der Hilfeseiten von clap.
cli-help-heading-usage = Aufruf
cli-help-heading-commands = Befehle
cli-help-heading-options = Optionen
cli-help-heading-arguments = Argumente
# In einer Aufrufzeile: „docketsync [OPTIONEN] <BEFEHL>“; die Wertnamen
# sind die der Optionen (<PFAD>) und des Befehls (<BEFEHL>).
cli-help-placeholder-options = [OPTIONEN]
cli-help-value-command = BEFEHL
cli-help-value-path = PFAD
cli-help-value-lang = SPRACHE

cli-help-command = Docket Sync exportiert Termine, Fristen und Kontakte aus Ihrer Kanzleisoftware nach Outlook, Microsoft To Do und in die Outlook-Kontakte
    .after =
        Konfiguration: Docket Sync liest die Konfigurationsdatei der Kanzlei (siehe --config)
        und legt Ihre persönliche Datei mit eigenen Einstellungen darüber. Mit
        DOCKETSYNC_HOME=ORDNER liegen stattdessen alle Dateien (Konfiguration, Daten,
        Protokolle) unter ORDNER.
cli-help-command-signin = Im Browser bei Microsoft 365 anmelden. Öffnet den Browser des Systems (die Umgebungsvariable BROWSER wird beachtet) und zeigt die Adresse immer auch zum Kopieren an. Ist schon ein Konto angemeldet, wird dieses Konto erneut angemeldet (ein anderes Konto wird abgelehnt: zum Wechseln zuerst abmelden)
cli-help-command-signout = Abmelden: entfernt die Anmeldung (Aktualisierungstoken und alle anderen Geheimnisse des Kontos) aus dem Schlüsselbund und vergisst das Konto
cli-help-command-status = Zeigt, wer seit wann angemeldet ist, die letzte erfolgreiche Erneuerung, das letzte Problem mit seiner Behebung und Warnungen
cli-help-command-check = Die Anmeldung jetzt erneuern und Microsoft Graph fragen, wer angemeldet ist; hält das Ergebnis fest (Erfolg, oder das Problem und seine Behebung)
cli-help-command-sync = Jetzt exportieren: die Daten der Kanzleisoftware lesen, feststellen, was sich in Microsoft 365 geändert hat, und Outlook, To Do und Kontakte auf den Stand der Kanzleisoftware bringen. Zeigt, was angelegt, geändert, gelöscht, neu angelegt und (mit Grund) übersprungen wurde und wie viele Graph-Anfragen es brauchte. `docketsync export` ist derselbe Befehl
cli-help-command-run = Im Vordergrund weiter exportieren, wie es der Infobereich im Hintergrund tut: alle policy.sync_interval_minutes, nach vorübergehenden Fehlern früher, mit Warten, wenn die Anmeldung den Benutzer braucht (es geht von selbst weiter nach `docketsync signin` in einem anderen Terminal), und mit einer Zeile je Export und Benachrichtigung. Beenden mit Strg-C
cli-help-command-client-secret = Den geheimen Clientschlüssel einer vertraulichen App-Registrierung (Web) verwalten
cli-help-command-client-secret-set = Den geheimen Clientschlüssel im Schlüsselbund des Systems hinterlegen. Liest ihn von der Standardeingabe (nie von der Befehlszeile, wo andere Benutzer ihn sehen könnten), z. B. `docketsync client-secret set < secret.txt`
cli-help-command-source-credential = Das Passwort oder Token für den Server der Kanzleisoftware verwalten (source.auth = "basic" oder "bearer": eine Kalenderdatei über HTTPS oder CalDAV/CardDAV)
cli-help-command-source-credential-set = Das Passwort (source.auth = "basic", für source.username) oder Token ("bearer") der Kanzleisoftware im Schlüsselbund des Systems hinterlegen. Fragt verdeckt danach oder liest es von der Standardeingabe (nie von der Befehlszeile), z. B. `docketsync source-credential set < password.txt`
cli-help-command-doctor = Prüfen, ob Docket Sync hier arbeiten kann: die Konfiguration ist gültig, der Anmelde-Port ist frei, die zusätzliche CA-Datei ist lesbar, Daten- und Protokollordner sind beschreibbar, und der Anmeldedienst von Microsoft (die Authority) antwortet. Zeigt eine Zeile je Prüfung: OK, WARNUNG, FEHLER oder AUSGELASSEN, und was zu tun ist. Endet mit 0, wenn keine Prüfung fehlschlägt, sonst mit dem Code dessen, der beim ersten Fehler handeln muss (siehe docs/cli.md)
# Der Befehl `help` von clap.
cli-help-command-help = Diese Hilfe oder die Hilfe der genannten Befehle zeigen

cli-help-arg-config = Die Konfigurationsdatei der Kanzlei. Ohne diese Option: die Umgebungsvariable DOCKETSYNC_CONFIG, sonst der Standardort der Plattform (Linux /etc/docketsync/config.toml, Windows %ProgramData%\DocketSync\config.toml, macOS /Library/Application Support/DocketSync/config.toml, oder DOCKETSYNC_HOME/firm/config.toml)
cli-help-arg-lang = Die Sprache der Ausgabe: en oder de. Ohne diese Option: app.language in Ihren Einstellungen, sonst die Sprache des Systems (LANG, LC_MESSAGES)
cli-help-arg-help = Hilfe zeigen
cli-help-arg-version = Version zeigen
cli-help-arg-json = Stabiles JSON für Skripte ausgeben (siehe docs/cli.md)
cli-help-arg-doctor-json = Den Bericht als stabiles JSON für Skripte ausgeben (siehe docs/cli.md)
cli-help-arg-no-browser = Keinen Browser öffnen; nur die Adresse zeigen
cli-help-arg-dry-run = Nur den Plan in Worten zeigen; nichts ändern
cli-help-arg-force = Löschungen ausführen, die die Sicherheitsbremse zurückgehalten hat (mehr als policy.max_delete_share der exportierten Einträge in einem Lauf)
cli-help-arg-retry-now = Einträge, die immer wieder fehlschlagen, jetzt versuchen statt nach ihrer Pause (15 Minuten nach dem zweiten Fehler, bis zu 12 Stunden)
# Das Argument des Befehls `help` von clap.
cli-help-arg-subcommand = Die Hilfe der genannten Befehle zeigen

# Die Fehler von clap zur Befehlszeile, nach „Fehler: “ (cli-error). Namen
# und Werte kommen in Anführungszeichen: '--force', 'en', 'de'.
cli-error-unknown-argument = unerwartetes Argument { $arg }
cli-error-unknown-command = unbekannter Befehl { $command }
cli-error-missing-value = { $arg } braucht einen Wert, es wurde keiner angegeben
cli-error-invalid-value = ungültiger Wert { $value } für { $arg }
cli-error-repeated = das Argument { $arg } darf nur einmal angegeben werden
cli-error-conflict = das Argument { $arg } kann nicht zusammen mit { $other } verwendet werden
cli-error-missing-command = { $command } braucht einen Befehl, es wurde keiner angegeben
cli-error-no-equals = für { $arg } ist ein Gleichheitszeichen nötig
cli-error-too-many-values = unerwarteter Wert { $value } für { $arg }; es wurden keine weiteren erwartet
cli-error-possible-values = [mögliche Werte: { $values }]
cli-error-commands = [Befehle: { $commands }]
cli-error-similar = Tipp: einen ähnlichen Namen gibt es: { $similar }
cli-error-more = Mehr dazu mit '--help'.

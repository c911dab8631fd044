# Der Geheimnisspeicher (docket-secrets): der Schlüsselbund des Systems
# und die freiwillige Klartextdatei. $platform: linux, windows, macos, other.

secrets-unavailable = Kein Schlüsselbund auf diesem Computer
    .body = Docket Sync bewahrt die Anmeldung im Schlüsselbund des Systems auf, und es war keiner verwendbar. { $platform ->
        [linux] IT: einen Secret Service in der Desktop-Sitzung starten (gnome-keyring oder KeePassXC mit Secret-Service-Integration; gnome-keyring installieren, wenn keiner vorhanden ist).
        [windows] IT: prüfen, ob der Dienst Anmeldeinformationsverwaltung (VaultSvc) läuft und Docket Sync in einer interaktiven Benutzersitzung läuft, nicht unter einem Dienstkonto.
        [macos] Öffnen Sie die Schlüsselbundverwaltung und prüfen Sie, ob der Schlüsselbund „Anmeldung“ vorhanden und der Standard ist.
       *[other] IT: einen Secret Service (gnome-keyring oder KeePassXC) in der Desktop-Sitzung starten.
    } Wo kein Schlüsselbund möglich ist, kann die IT stattdessen die Token-Datei erlauben (storage.allow_plaintext_tokens).
secrets-locked = Schlüsselbund gesperrt
    .body = Der Schlüsselbund des Systems ist gesperrt; Docket Sync kann die Anmeldung daher weder lesen noch speichern. { $platform ->
        [linux] Entsperren Sie den Anmelde-Schlüsselbund (normal am Desktop anmelden oder in „Passwörter und Schlüssel“ bzw. KeePassXC entsperren) und versuchen Sie es erneut.
        [windows] Melden Sie sich interaktiv bei Windows an und versuchen Sie es erneut.
        [macos] Öffnen Sie die Schlüsselbundverwaltung, entsperren Sie den Schlüsselbund „Anmeldung“ und versuchen Sie es erneut.
       *[other] Entsperren Sie den Anmelde-Schlüsselbund und versuchen Sie es erneut.
    }
secrets-corrupt = Gespeicherte Anmeldung beschädigt
    .body = Die auf diesem Computer gespeicherte Anmeldung ist beschädigt und nicht verwendbar. Melden Sie sich erneut an, um sie zu ersetzen.
secrets-error = Fehler im Schlüsselbund
    .body = Der Schlüsselbund des Systems hat nicht getan, was Docket Sync verlangt hat ({ $detail }). Versuchen Sie es erneut; passiert es weiter, informieren Sie die IT.
secrets-plaintext = Anmeldung in einer unverschlüsselten Datei
    .body = Kein Schlüsselbund des Systems war verwendbar und die IT hat die Token-Datei erlaubt; die Anmeldung liegt daher unverschlüsselt in { $path }. Wer diese Datei (oder eine Sicherung davon) lesen kann, kann in Microsoft 365 in Ihrem Namen handeln. IT: einen Schlüsselbund bereitstellen und storage.allow_plaintext_tokens ausschalten, damit sie dorthin umzieht.

# Wo Geheimnisse liegen, als Ort nach „in“/„aus“ (Dativ: „Geheimnisse
# liegen in …“, „aus … entfernt“). $service ist der Dienstname im Schlüsselbund.
secrets-location-keyring = { $platform ->
        [linux] dem Secret Service (gnome-keyring, KWallet oder KeePassXC)
        [windows] der Windows-Anmeldeinformationsverwaltung
        [macos] dem macOS-Schlüsselbund
       *[other] dem Secret Service
    }, Dienst „{ $service }“
secrets-location-file = der unverschlüsselten Datei { $path }
secrets-location-memory = dem Arbeitsspeicher (nur für Tests)
secrets-location-unnamed = einem unbenannten Geheimnisspeicher

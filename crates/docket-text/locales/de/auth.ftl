# Anmeldung (docket-auth): eine Meldung je eingeordnetem Problemcode, die
# Browserseiten der Anmeldung und die übrigen Fehler der Anmeldung.
# Wert = Überschrift (passt in den Titel einer Benachrichtigung); .body
# erklärt in einfachen Worten. Die Behebung ist eine Aktion.

## Sie melden sich erneut an

reauth-password-changed = Ihre Microsoft-Anmeldung wurde beendet
    .body = Das geschieht meist, wenn Ihr Kennwort geändert oder zurückgesetzt wurde oder die IT Sie auf allen Geräten abgemeldet hat. Melden Sie sich mit Ihrem aktuellen Kennwort erneut an.
reauth-inactivity = Ihre Microsoft-Anmeldung ist abgelaufen
    .body = Docket Sync wurde 90 Tage nicht verwendet; deshalb hat Microsoft die Anmeldung beendet. Melden Sie sich mit Ihrem Arbeitskonto erneut an.
reauth-grant-expired = Ihre Microsoft-Anmeldung ist abgelaufen
    .body = Ihre Microsoft-Anmeldung ist abgelaufen oder wurde zurückgezogen. Melden Sie sich mit Ihrem Arbeitskonto erneut an.
reauth-sign-in-frequency = Erneute Anmeldung fällig
    .body = Ihre Organisation verlangt in regelmäßigen Abständen eine erneute Anmeldung; dieser Zeitpunkt ist erreicht. Melden Sie sich mit Ihrem Arbeitskonto erneut an.
reauth-mfa-required = Zweiter Anmeldeschritt erforderlich
    .body = Ihre Organisation verlangt jetzt einen zweiten Anmeldeschritt, zum Beispiel die Authenticator-App. Melden Sie sich erneut an und bestätigen Sie die Anmeldung mit Ihrem zweiten Faktor.
reauth-mfa-registration = Mehrstufige Authentifizierung einrichten
    .body = Ihre Organisation verlangt, dass Sie zuerst die mehrstufige Authentifizierung einrichten. Melden Sie sich erneut an; die Anmeldeseite führt Sie durch die Einrichtung (Telefon bereithalten).
reauth-conditional-access = Anmeldung durch Regeln Ihrer Organisation blockiert
    .body = Die Zugriffsregeln Ihrer Organisation haben die Anmeldung blockiert, zum Beispiel wegen Standort oder Netzwerk. Melden Sie sich im Büronetz oder über VPN erneut an. Passiert es weiter, nennen Sie der IT den angezeigten Code.
reauth-device-not-compliant = Dieses Gerät darf sich nicht anmelden
    .body = Ihre Organisation erlaubt die Anmeldung nur von verwalteten, konformen Geräten; dieses Gerät erfüllt das derzeit nicht. Öffnen Sie die Unternehmensportal-App, prüfen Sie den Gerätestatus und melden Sie sich dann erneut an; sonst wenden Sie sich an die IT.
reauth-consent = Zustimmung erneut erforderlich
    .body = Docket Sync benötigt erneut Ihre Zustimmung für den Zugriff auf Kalender, Aufgaben und Kontakte. Melden Sie sich erneut an und klicken Sie auf der Berechtigungsseite auf „Akzeptieren“.
reauth-consent-declined = Berechtigungen nicht akzeptiert
    .body = Die Berechtigungen wurden nicht akzeptiert; Docket Sync kann daher nicht auf Kalender, Aufgaben und Kontakte zugreifen. Melden Sie sich erneut an und klicken Sie auf der Berechtigungsseite auf „Akzeptieren“.
reauth-cancelled = Anmeldung abgebrochen
    .body = Die Anmeldung wurde im Browser abgebrochen oder abgelehnt. Melden Sie sich erneut an, sobald Sie bereit sind.
reauth-password-expired = Ihr Kennwort ist abgelaufen
    .body = Ihr Kennwort ist abgelaufen. Melden Sie sich erneut an; die Anmeldeseite fordert Sie auf, ein neues Kennwort festzulegen.
reauth-interaction-required = Anmeldung bestätigen
    .body = Microsoft verlangt, dass Sie Ihre Anmeldung im Browser bestätigen. Melden Sie sich mit Ihrem Arbeitskonto erneut an.
reauth-required = Anmeldung nicht mehr gültig
    .body = Ihre Microsoft-Anmeldung ist nicht mehr gültig. Melden Sie sich mit Ihrem Arbeitskonto erneut an.

## Die IT muss handeln (erneutes Anmelden hilft nicht)

admin-consent-missing = Berechtigungen von Ihrer Organisation nicht freigegeben
    .body = Ihre Organisation hat die Berechtigungen von Docket Sync (Kalender, Aufgaben, Kontakte) nicht freigegeben. IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → API-Berechtigungen → „Administratorzustimmung für <Mandant> erteilen“ (oder Unternehmensanwendungen → Docket Sync → Berechtigungen).
admin-client-secret-invalid = Geheimer Clientschlüssel abgelehnt
    .body = Microsoft hat den geheimen Clientschlüssel von Docket Sync abgelehnt. IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Zertifikate & Geheimnisse → Geheime Clientschlüssel: den Wert (nicht die Geheimnis-ID) kopieren und in Docket Sync neu hinterlegen.
admin-client-secret-expired = Geheimer Clientschlüssel abgelaufen
    .body = Der geheime Clientschlüssel von Docket Sync ist abgelaufen. IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Zertifikate & Geheimnisse → „Neuer geheimer Clientschlüssel“; den Wert in Docket Sync hinterlegen und microsoft.client_secret_expires anpassen.
admin-client-secret-missing = App-Registrierung benötigt einen geheimen Clientschlüssel
    .body = Die App-Registrierung von Docket Sync ist eine Web-App und benötigt einen geheimen Clientschlüssel, es wurde aber keiner gesendet. IT: entweder microsoft.client_type = "confidential" setzen und den Schlüssel in Docket Sync hinterlegen, oder im Azure-Portal → App-Registrierungen → Docket Sync → Authentifizierung den Umleitungs-URI unter „Mobile Anwendungen und Desktopanwendungen“ eintragen und „Öffentliche Clientflows zulassen“ aktivieren.
admin-public-client-secret = App-Registrierung ist ein öffentlicher Client
    .body = Die App-Registrierung von Docket Sync ist ein öffentlicher (Desktop-)Client, Docket Sync hat aber einen geheimen Clientschlüssel gesendet. IT: in der Firmenkonfiguration microsoft.client_type = "public" setzen.
admin-app-not-found = App in Ihrer Organisation nicht gefunden
    .body = Microsoft kennt die Docket-Sync-App in Ihrer Organisation nicht. IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Übersicht: „Anwendungs-ID (Client)“ und „Verzeichnis-ID (Mandant)“ mit microsoft.client_id und microsoft.tenant vergleichen.
admin-tenant-not-found = Organisation nicht gefunden
    .body = Microsoft kennt die Organisation (Mandant) nicht, für die Docket Sync eingerichtet ist. IT: Azure-Portal → Microsoft Entra ID → Übersicht: „Mandanten-ID“ (oder die primäre Domäne) in microsoft.tenant eintragen; microsoft.authority_host auf die richtige Cloud prüfen.
admin-redirect-uri = Anmeldeadresse nicht registriert
    .body = Die Adresse, über die Docket Sync die Anmeldung empfängt, ist für die App nicht registriert. IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Authentifizierung: http://localhost unter „Mobile Anwendungen und Desktopanwendungen“ hinzufügen (Web-Plattform: den genauen URI mit microsoft.redirect_port und microsoft.redirect_path).
admin-user-not-assigned = Ihr Konto darf Docket Sync nicht verwenden
    .body = Ihr Konto darf Docket Sync in Ihrer Organisation nicht verwenden. IT: Azure-Portal → Microsoft Entra ID → Unternehmensanwendungen → Docket Sync → Benutzer und Gruppen → „Benutzer/Gruppe hinzufügen“.
admin-user-disabled = Ihr Microsoft-Konto ist deaktiviert
    .body = Ihr Microsoft-Konto ist deaktiviert. IT: Azure-Portal → Microsoft Entra ID → Benutzer → der Benutzer → Eigenschaften bearbeiten → Einstellungen → „Konto aktiviert“.
admin-client-rejected = App-Registrierung abgelehnt
    .body = Microsoft hat die App-Registrierung von Docket Sync abgelehnt. IT: die App-Registrierung (Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Authentifizierung sowie Zertifikate & Geheimnisse) mit der Firmenkonfiguration abgleichen; der angezeigte Code nennt die Ursache.
admin-request-rejected = Anmeldeanfrage abgelehnt
    .body = Microsoft hat die Anmeldeanfrage von Docket Sync abgelehnt. IT: microsoft.scopes, microsoft.tenant und die API-Berechtigungen der App-Registrierung prüfen; den angezeigten Code unter https://login.microsoftonline.com/error nachschlagen.

## Vorübergehend: niemand muss handeln, Docket Sync versucht es selbst erneut

transient-network = Microsoft ist nicht erreichbar
    .body = Der Anmeldedienst von Microsoft ist nicht erreichbar (keine Netzwerkverbindung oder Namensauflösung). Docket Sync versucht es selbst erneut. Hält es an, prüfen Sie die Internetverbindung (und VPN oder Proxy).
transient-timeout = Microsoft hat nicht rechtzeitig geantwortet
    .body = Der Anmeldedienst von Microsoft hat nicht rechtzeitig geantwortet. Docket Sync versucht es selbst erneut. Hält es an, prüfen Sie die Internetverbindung (und VPN oder Proxy).
transient-connection-reset = Verbindung zu Microsoft unterbrochen
    .body = Die Verbindung zu Microsoft wurde unterbrochen. Docket Sync versucht es selbst erneut. Hält es an, prüfen Sie die Internetverbindung (und VPN oder Proxy).
transient-throttled = Microsoft bittet um weniger Anfragen
    .body = Microsoft erhält gerade zu viele Anfragen. Docket Sync wartet und versucht es selbst erneut.
transient-service-unavailable = Microsoft-Anmeldung vorübergehend nicht verfügbar
    .body = Der Anmeldedienst von Microsoft ist vorübergehend nicht verfügbar. Docket Sync versucht es selbst erneut.
transient-unexpected-response = Unerwartete Antwort statt der von Microsoft
    .body = Statt der Antwort von Microsoft kam eine unerwartete Antwort, oft von einem Proxy oder der Anmeldeseite eines Hotel- oder Gast-WLANs. Öffnen Sie eine beliebige Webseite im Browser, um gegebenenfalls eine WLAN-Anmeldung abzuschließen; Docket Sync versucht es dann selbst erneut. Hält es an, informieren Sie die IT (Proxy-Einstellungen).

## Die übrigen Fehler der Anmeldung

auth-signin-port-in-use = Anmeldeport belegt
    .body = Port { $port } auf diesem Computer wird bereits von einem anderen Programm verwendet; die Anmeldung kann die Antwort von Microsoft daher nicht empfangen. Schließen Sie das Programm, oder die IT setzt microsoft.redirect_port (und den für die App registrierten Umleitungs-URI) auf einen freien Port.
auth-signin-listener = Die Anmeldung konnte nicht starten
    .body = Docket Sync konnte auf diesem Computer nicht auf die Antwort von Microsoft warten ({ $detail }).
auth-signin-bad-redirect-uri = Anmeldeadresse nicht verwendbar
    .body = Der eingestellte Umleitungs-URI { $uri } ist für die Anmeldung nicht verwendbar: { $detail }. IT: http://localhost oder http://127.0.0.1 verwenden, wahlweise mit Port und Pfad.
auth-signin-timed-out = Anmeldung nicht rechtzeitig abgeschlossen
    .body = Die Anmeldung wurde nicht innerhalb { $minutes ->
        [one] einer Minute
       *[other] von { $minutes } Minuten
    } im Browser abgeschlossen. Starten Sie die Anmeldung erneut und schließen Sie sie im Browser ab.
auth-signin-cancelled = Anmeldung abgebrochen
    .body = Die Anmeldung wurde abgebrochen, bevor sie abgeschlossen war.
auth-signin-account-mismatch = Mit einem anderen Konto angemeldet
    .body = Sie haben sich als { $got } angemeldet, Docket Sync ist aber für { $expected } eingerichtet. Es wurde nichts geändert: Melden Sie sich erneut als { $expected } an, oder melden Sie sich zuerst ab, um das Konto zu wechseln.
auth-signin-no-refresh-token = Angemeldet bleiben nicht möglich
    .body = Microsoft hat Docket Sync nicht erlaubt, angemeldet zu bleiben (Offlinezugriff). IT: offline_access in microsoft.scopes belassen und in den API-Berechtigungen der App-Registrierung erteilen.
auth-signin-id-token = Konto fehlt in der Antwort von Microsoft
    .body = Die Antwort von Microsoft enthielt nicht, welches Konto sich angemeldet hat. IT: openid und profile in microsoft.scopes belassen.
auth-signin-client-secret-not-stored = Kein geheimer Clientschlüssel hinterlegt
    .body = Die App ist als vertraulicher (Web-)Client eingerichtet, auf diesem Computer ist aber kein geheimer Clientschlüssel dafür hinterlegt. IT: den Wert des Schlüssels aus dem Azure-Portal (App-Registrierungen → Zertifikate & Geheimnisse) hinterlegen.
auth-signin-store = Anmeldung konnte nicht gespeichert werden
    .body = Sie haben sich angemeldet, die Anmeldung konnte aber nicht im Schlüsselbund dieses Computers gespeichert werden; Docket Sync kann daher nicht angemeldet bleiben.
auth-signin-config = Anmeldeeinstellungen nicht verwendbar
    .body = Die Anmeldeeinstellungen in der Firmenkonfiguration sind nicht verwendbar: { $detail }.
auth-signin-lock = Anmeldung in einem anderen Docket Sync belegt
    .body = Ein anderes Docket-Sync-Programm auf diesem Computer hielt die Anmeldung belegt; sie wurde nicht gespeichert. Versuchen Sie es in einer Minute erneut.
auth-signin-stopped = Anmeldung unterbrochen
    .body = Docket Sync wurde beendet, bevor die Anmeldung abgeschlossen war. Starten Sie die Anmeldung erneut.
auth-signin-failed = Die Anmeldung konnte nicht abgeschlossen werden
    .body = Die Anmeldung konnte nicht abgeschlossen werden; Details zeigt Docket Sync an.

## Die Anmeldung auffrischen

auth-refresh-not-signed-in = Nicht angemeldet
    .body = Die gespeicherte Anmeldung für { $account } ist nicht mehr im Schlüsselbund dieses Computers. Melden Sie sich erneut an.
auth-refresh-persist = Erneuerte Anmeldung nicht gespeichert
    .body = Microsoft hat die Anmeldung erneuert, der Schlüsselbund dieses Computers hat sie aber nicht angenommen; sie wurde daher nicht verwendet.
auth-refresh-store = Anmeldung nicht lesbar
    .body = Docket Sync konnte die Anmeldung nicht aus dem Schlüsselbund dieses Computers lesen.
auth-refresh-store-damaged = Gespeicherte Anmeldung beschädigt
    .body = Die im Schlüsselbund dieses Computers gespeicherte Anmeldung lässt sich nicht vollständig lesen. Melden Sie sich erneut an, um sie zu ersetzen; von Ihrem Kalender geht nichts verloren.
auth-refresh-lock = Anmeldung in einem anderen Docket Sync belegt
    .body = Ein anderes Docket-Sync-Programm auf diesem Computer frischt gerade die Anmeldung auf. Docket Sync versucht es selbst erneut.
auth-refresh-lock-file = Sperrdatei der Anmeldung nicht verwendbar
    .body = Die Sperrdatei der Anmeldung { $path } ist nicht verwendbar ({ $detail }). Prüfen Sie, ob Ihr Benutzerkonto in den Datenordner schreiben darf.
auth-refresh-still-unauthorized = Microsoft verweigert den Zugriff trotz frischer Anmeldung
    .body = Microsoft Graph hat die Anfrage auch mit einer frisch aufgefrischten Anmeldung abgelehnt. IT: die API-Berechtigungen der App-Registrierung prüfen.

## Die Browserseiten der Anmeldung (keine Links, keine Skripte)

auth-page-success-title = Docket Sync: angemeldet
auth-page-success = Anmeldung abgeschlossen
    .body = Docket Sync ist als { $account } angemeldet. Sie können dieses Fenster schließen.
auth-page-failure-title = Docket Sync: Anmeldung fehlgeschlagen
auth-page-failure = Anmeldung nicht abgeschlossen
auth-page-what-to-do = Was tun:
auth-page-code = Code:
auth-page-rejected-title = Docket Sync: nicht angenommen
auth-page-rejected = Anfrage nicht angenommen
    .body = Wenn Sie sich bei Docket Sync anmelden, schließen Sie die Anmeldung in dem Browser-Tab ab, den Docket Sync geöffnet hat.

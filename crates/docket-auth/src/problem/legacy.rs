//! The English and German sentences of each class as they were before the
//! words moved to `docket-text` (`locales/*/auth.ftl`). Kept only while
//! callers still read `Problem::message_en` & co.; delete with them.

use super::{AdminKind, Class, ReAuthReason, TransientKind};

pub(super) struct Texts {
    pub code: &'static str,
    pub message_en: &'static str,
    pub message_de: &'static str,
    pub fix_en: &'static str,
    pub fix_de: &'static str,
}
const SIGN_IN_AGAIN_EN: &str = "Choose \"Sign in again\" and sign in with your work account.";
const SIGN_IN_AGAIN_DE: &str =
    "Wählen Sie „Erneut anmelden“ und melden Sie sich mit Ihrem Arbeitskonto an.";
const RETRY_EN: &str = "Nothing to do: Docket Sync retries by itself. If it lasts, check the internet connection (and VPN/proxy).";
const RETRY_DE: &str = "Nichts zu tun: Docket Sync versucht es selbst erneut. Hält es an, prüfen Sie die Internetverbindung (und VPN/Proxy).";

/// The catalogue: one entry per class. Portal paths name the blades of
/// the Azure portal (portal.azure.com → Microsoft Entra ID).
pub(super) fn texts(class: Class) -> Texts {
    use AdminKind as A;
    use ReAuthReason as R;
    use TransientKind as T;
    let t = |code, message_en, message_de, fix_en, fix_de| Texts {
        code,
        message_en,
        message_de,
        fix_en,
        fix_de,
    };
    match class {
        Class::ReAuth(r) => match r {
            R::PasswordChangedOrRevoked => t(
                "reauth.password_changed",
                "Your Microsoft sign-in was ended, usually because your password was changed or reset, or IT signed you out of all devices.",
                "Ihre Microsoft-Anmeldung wurde beendet, meist weil Ihr Kennwort geändert oder zurückgesetzt wurde oder die IT Sie auf allen Geräten abgemeldet hat.",
                "Choose \"Sign in again\" and sign in with your current password.",
                "Wählen Sie „Erneut anmelden“ und melden Sie sich mit Ihrem aktuellen Kennwort an.",
            ),
            R::Inactivity => t(
                "reauth.inactivity",
                "Your Microsoft sign-in expired because Docket Sync was not used for 90 days.",
                "Ihre Microsoft-Anmeldung ist abgelaufen, weil Docket Sync 90 Tage nicht verwendet wurde.",
                SIGN_IN_AGAIN_EN,
                SIGN_IN_AGAIN_DE,
            ),
            R::GrantExpired => t(
                "reauth.grant_expired",
                "Your Microsoft sign-in has expired or was withdrawn.",
                "Ihre Microsoft-Anmeldung ist abgelaufen oder wurde zurückgezogen.",
                SIGN_IN_AGAIN_EN,
                SIGN_IN_AGAIN_DE,
            ),
            R::SignInFrequency { .. } => t(
                "reauth.sign_in_frequency",
                "Your organisation requires you to sign in again at regular intervals, and that time has come.",
                "Ihre Organisation verlangt in regelmäßigen Abständen eine erneute Anmeldung; dieser Zeitpunkt ist erreicht.",
                SIGN_IN_AGAIN_EN,
                SIGN_IN_AGAIN_DE,
            ),
            R::MfaRequired => t(
                "reauth.mfa_required",
                "Your organisation now requires a second sign-in step (e.g. the Authenticator app).",
                "Ihre Organisation verlangt jetzt einen zweiten Anmeldeschritt (z. B. die Authenticator-App).",
                "Choose \"Sign in again\" and confirm the sign-in with your second factor.",
                "Wählen Sie „Erneut anmelden“ und bestätigen Sie die Anmeldung mit Ihrem zweiten Faktor.",
            ),
            R::MfaRegistration => t(
                "reauth.mfa_registration",
                "Your organisation requires you to set up multi-factor authentication before you can continue.",
                "Ihre Organisation verlangt, dass Sie zuerst die Mehrstufige Authentifizierung einrichten.",
                "Choose \"Sign in again\"; the sign-in page guides you through the set-up (have your phone ready).",
                "Wählen Sie „Erneut anmelden“; die Anmeldeseite führt Sie durch die Einrichtung (Telefon bereithalten).",
            ),
            R::ConditionalAccess => t(
                "reauth.conditional_access",
                "Your organisation's access rules blocked the sign-in (for example because of the location or network).",
                "Die Zugriffsregeln Ihrer Organisation haben die Anmeldung blockiert (z. B. wegen Standort oder Netzwerk).",
                "Sign in again from the office network or VPN. If it keeps happening, tell IT the code shown (AADSTS53003).",
                "Melden Sie sich im Büronetz oder über VPN erneut an. Passiert es weiter, nennen Sie der IT den angezeigten Code (AADSTS53003).",
            ),
            R::DeviceNotCompliant => t(
                "reauth.device_not_compliant",
                "Your organisation only allows sign-in from managed, compliant devices, and this device does not qualify right now.",
                "Ihre Organisation erlaubt die Anmeldung nur von verwalteten, konformen Geräten; dieses Gerät erfüllt das derzeit nicht.",
                "Open the Company Portal app and check this device's status, then sign in again; otherwise contact IT.",
                "Öffnen Sie die Unternehmensportal-App und prüfen Sie den Gerätestatus, melden Sie sich dann erneut an; sonst wenden Sie sich an die IT.",
            ),
            R::ConsentNeeded => t(
                "reauth.consent",
                "Docket Sync needs your permission again to access your calendar, tasks and contacts.",
                "Docket Sync benötigt erneut Ihre Zustimmung für den Zugriff auf Kalender, Aufgaben und Kontakte.",
                "Choose \"Sign in again\" and press \"Accept\" on the permissions page.",
                "Wählen Sie „Erneut anmelden“ und klicken Sie auf der Berechtigungsseite auf „Akzeptieren“.",
            ),
            R::ConsentDeclined => t(
                "reauth.consent_declined",
                "The permissions were not accepted, so Docket Sync cannot reach your calendar, tasks and contacts.",
                "Die Berechtigungen wurden nicht akzeptiert; Docket Sync kann daher nicht auf Kalender, Aufgaben und Kontakte zugreifen.",
                "Sign in again and press \"Accept\" on the permissions page.",
                "Melden Sie sich erneut an und klicken Sie auf der Berechtigungsseite auf „Akzeptieren“.",
            ),
            R::Cancelled => t(
                "reauth.cancelled",
                "The sign-in was cancelled or refused in the browser.",
                "Die Anmeldung wurde im Browser abgebrochen oder abgelehnt.",
                "Sign in again when you are ready.",
                "Melden Sie sich erneut an, sobald Sie bereit sind.",
            ),
            R::PasswordExpired => t(
                "reauth.password_expired",
                "Your password has expired.",
                "Ihr Kennwort ist abgelaufen.",
                "Choose \"Sign in again\"; the sign-in page asks you to set a new password.",
                "Wählen Sie „Erneut anmelden“; die Anmeldeseite fordert Sie auf, ein neues Kennwort festzulegen.",
            ),
            R::InteractionRequired => t(
                "reauth.interaction_required",
                "Microsoft needs you to confirm your sign-in in the browser.",
                "Microsoft verlangt, dass Sie Ihre Anmeldung im Browser bestätigen.",
                SIGN_IN_AGAIN_EN,
                SIGN_IN_AGAIN_DE,
            ),
            R::Other => t(
                "reauth.required",
                "Your Microsoft sign-in is no longer valid.",
                "Ihre Microsoft-Anmeldung ist nicht mehr gültig.",
                SIGN_IN_AGAIN_EN,
                SIGN_IN_AGAIN_DE,
            ),
        },
        Class::Admin(k) => match k {
            A::ConsentMissing => t(
                "admin.consent_missing",
                "Your organisation has not approved Docket Sync's permissions (calendar, tasks, contacts).",
                "Ihre Organisation hat die Berechtigungen von Docket Sync (Kalender, Aufgaben, Kontakte) nicht freigegeben.",
                "IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → API permissions → \"Grant admin consent for <tenant>\" (or Enterprise applications → Docket Sync → Permissions).",
                "IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → API-Berechtigungen → „Administratorzustimmung für <Mandant> erteilen“ (oder Unternehmensanwendungen → Docket Sync → Berechtigungen).",
            ),
            A::ClientSecretInvalid => t(
                "admin.client_secret_invalid",
                "Microsoft rejected Docket Sync's client secret.",
                "Microsoft hat den geheimen Clientschlüssel von Docket Sync abgelehnt.",
                "IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Certificates & secrets → Client secrets: copy the secret's Value (not the Secret ID) and store it again with Docket Sync.",
                "IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Zertifikate & Geheimnisse → Geheime Clientschlüssel: den Wert (nicht die Geheimnis-ID) kopieren und in Docket Sync neu hinterlegen.",
            ),
            A::ClientSecretExpired => t(
                "admin.client_secret_expired",
                "Docket Sync's client secret has expired.",
                "Der geheime Clientschlüssel von Docket Sync ist abgelaufen.",
                "IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Certificates & secrets → \"New client secret\"; store its Value with Docket Sync and update microsoft.client_secret_expires.",
                "IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Zertifikate & Geheimnisse → „Neuer geheimer Clientschlüssel“; den Wert in Docket Sync hinterlegen und microsoft.client_secret_expires anpassen.",
            ),
            A::ClientSecretMissing => t(
                "admin.client_secret_missing",
                "The Docket Sync app registration is a Web app and needs a client secret, but none was sent.",
                "Die App-Registrierung von Docket Sync ist eine Web-App und benötigt einen geheimen Clientschlüssel, es wurde aber keiner gesendet.",
                "IT: either set microsoft.client_type = \"confidential\" and store the secret with Docket Sync, or in the Azure portal → App registrations → Docket Sync → Authentication add the redirect URI under \"Mobile and desktop applications\" and turn on \"Allow public client flows\".",
                "IT: entweder microsoft.client_type = \"confidential\" setzen und den Schlüssel in Docket Sync hinterlegen, oder im Azure-Portal → App-Registrierungen → Docket Sync → Authentifizierung den Umleitungs-URI unter „Mobile Anwendungen und Desktopanwendungen“ eintragen und „Öffentliche Clientflows zulassen“ aktivieren.",
            ),
            A::PublicClientSecret => t(
                "admin.public_client_secret",
                "The Docket Sync app registration is a public (desktop) client, but Docket Sync sent a client secret.",
                "Die App-Registrierung von Docket Sync ist ein öffentlicher (Desktop-)Client, Docket Sync hat aber einen geheimen Clientschlüssel gesendet.",
                "IT: set microsoft.client_type = \"public\" in the firm configuration.",
                "IT: in der Firmenkonfiguration microsoft.client_type = \"public\" setzen.",
            ),
            A::AppNotFound => t(
                "admin.app_not_found",
                "Microsoft does not know the Docket Sync app in your organisation.",
                "Microsoft kennt die Docket-Sync-App in Ihrer Organisation nicht.",
                "IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Overview: compare \"Application (client) ID\" and \"Directory (tenant) ID\" with microsoft.client_id and microsoft.tenant.",
                "IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Übersicht: „Anwendungs-ID (Client)“ und „Verzeichnis-ID (Mandant)“ mit microsoft.client_id und microsoft.tenant vergleichen.",
            ),
            A::TenantNotFound => t(
                "admin.tenant_not_found",
                "Microsoft does not know the organisation (tenant) Docket Sync is set up for.",
                "Microsoft kennt die Organisation (Mandant) nicht, für die Docket Sync eingerichtet ist.",
                "IT: Azure portal → Microsoft Entra ID → Overview: copy \"Tenant ID\" (or the primary domain) into microsoft.tenant; check microsoft.authority_host for the right cloud.",
                "IT: Azure-Portal → Microsoft Entra ID → Übersicht: „Mandanten-ID“ (oder die primäre Domäne) in microsoft.tenant eintragen; microsoft.authority_host auf die richtige Cloud prüfen.",
            ),
            A::RedirectUriNotRegistered => t(
                "admin.redirect_uri",
                "The address Docket Sync uses to receive the sign-in is not registered for the app.",
                "Die Adresse, über die Docket Sync die Anmeldung empfängt, ist für die App nicht registriert.",
                "IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Authentication: add http://localhost under \"Mobile and desktop applications\" (Web platform: add the exact URI incl. microsoft.redirect_port and microsoft.redirect_path).",
                "IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Authentifizierung: http://localhost unter „Mobile Anwendungen und Desktopanwendungen“ hinzufügen (Web-Plattform: den genauen URI mit microsoft.redirect_port und microsoft.redirect_path).",
            ),
            A::UserNotAssigned => t(
                "admin.user_not_assigned",
                "Your account is not allowed to use Docket Sync in your organisation.",
                "Ihr Konto darf Docket Sync in Ihrer Organisation nicht verwenden.",
                "IT: Azure portal → Microsoft Entra ID → Enterprise applications → Docket Sync → Users and groups → \"Add user/group\".",
                "IT: Azure-Portal → Microsoft Entra ID → Unternehmensanwendungen → Docket Sync → Benutzer und Gruppen → „Benutzer/Gruppe hinzufügen“.",
            ),
            A::UserDisabled => t(
                "admin.user_disabled",
                "Your Microsoft account is disabled.",
                "Ihr Microsoft-Konto ist deaktiviert.",
                "IT: Azure portal → Microsoft Entra ID → Users → the user → Edit properties → Settings → \"Account enabled\".",
                "IT: Azure-Portal → Microsoft Entra ID → Benutzer → der Benutzer → Eigenschaften bearbeiten → Einstellungen → „Konto aktiviert“.",
            ),
            A::ClientRejected => t(
                "admin.client_rejected",
                "Microsoft rejected the Docket Sync app registration.",
                "Microsoft hat die App-Registrierung von Docket Sync abgelehnt.",
                "IT: check the app registration (Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Authentication and Certificates & secrets) against the firm configuration; the code shown names the cause.",
                "IT: die App-Registrierung (Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Authentifizierung sowie Zertifikate & Geheimnisse) mit der Firmenkonfiguration abgleichen; der angezeigte Code nennt die Ursache.",
            ),
            A::RequestRejected => t(
                "admin.request_rejected",
                "Microsoft rejected Docket Sync's sign-in request.",
                "Microsoft hat die Anmeldeanfrage von Docket Sync abgelehnt.",
                "IT: check microsoft.scopes, microsoft.tenant and the app registration's API permissions; look the code shown up at https://login.microsoftonline.com/error.",
                "IT: microsoft.scopes, microsoft.tenant und die API-Berechtigungen der App-Registrierung prüfen; den angezeigten Code unter https://login.microsoftonline.com/error nachschlagen.",
            ),
        },
        Class::Transient(k) => match k {
            T::Network => t(
                "transient.network",
                "Microsoft's sign-in service cannot be reached (no network connection or name resolution).",
                "Der Anmeldedienst von Microsoft ist nicht erreichbar (keine Netzwerkverbindung oder Namensauflösung).",
                RETRY_EN,
                RETRY_DE,
            ),
            T::Timeout => t(
                "transient.timeout",
                "Microsoft's sign-in service did not answer in time.",
                "Der Anmeldedienst von Microsoft hat nicht rechtzeitig geantwortet.",
                RETRY_EN,
                RETRY_DE,
            ),
            T::ConnectionReset => t(
                "transient.connection_reset",
                "The connection to Microsoft was interrupted.",
                "Die Verbindung zu Microsoft wurde unterbrochen.",
                RETRY_EN,
                RETRY_DE,
            ),
            T::Throttled => t(
                "transient.throttled",
                "Microsoft asked Docket Sync to slow down.",
                "Microsoft hat Docket Sync gebeten, langsamer zu arbeiten.",
                RETRY_EN,
                RETRY_DE,
            ),
            T::ServiceUnavailable => t(
                "transient.service_unavailable",
                "Microsoft's sign-in service is temporarily unavailable.",
                "Der Anmeldedienst von Microsoft ist vorübergehend nicht verfügbar.",
                RETRY_EN,
                RETRY_DE,
            ),
            T::UnexpectedResponse => t(
                "transient.unexpected_response",
                "An unexpected answer came back instead of Microsoft's (often a proxy, hotel or guest Wi-Fi login page).",
                "Statt der Antwort von Microsoft kam eine unerwartete Antwort (oft ein Proxy oder die Anmeldeseite eines Hotel- oder Gast-WLANs).",
                "Open any web page in the browser to complete a Wi-Fi login if asked; Docket Sync then retries by itself. If it lasts, tell IT (proxy settings).",
                "Öffnen Sie eine beliebige Webseite im Browser, um ggf. eine WLAN-Anmeldung abzuschließen; Docket Sync versucht es dann selbst erneut. Hält es an, informieren Sie die IT (Proxy-Einstellungen).",
            ),
        },
    }
}

//! Every kind of configuration problem, as a catalogue id (the words are
//! in `docket-text`'s `locales/{en,de}/config.ftl`: headline + `.body`).
//! One list, so that a test can render each kind in every language.

use docket_text::Message;

macro_rules! kinds {
    ($($(#[$doc:meta])* $kind:ident => $id:literal,)*) => {
        /// A kind of problem (or notice); [`Kind::message`] starts its
        /// [`Message`], the caller adds the arguments.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Kind {
            $($(#[$doc])* $kind,)*
        }

        impl Kind {
            /// Every kind, for tests that need one of each.
            pub const ALL: &'static [Kind] = &[$(Kind::$kind,)*];

            /// The catalogue id.
            pub fn id(self) -> &'static str {
                match self {
                    $(Kind::$kind => $id,)*
                }
            }
        }
    };
}

kinds! {
    Unreadable => "config-unreadable",
    /// The user's overrides file cannot be written (a setting changed
    /// from the app).
    Unwritable => "config-unwritable",
    MissingFile => "config-missing-file",
    Syntax => "config-syntax",
    SyntaxUnplaced => "config-syntax-unplaced",
    /// A key that would hold a secret (`client_secret`, `password`, …).
    Secret => "config-secret",
    OutsideSection => "config-outside-section",
    OutsideSectionUnknown => "config-outside-section-unknown",
    UnknownSectionDidYouMean => "config-unknown-section-did-you-mean",
    UnknownSection => "config-unknown-section",
    UnknownKeyElsewhere => "config-unknown-key-elsewhere",
    UnknownKeyDidYouMean => "config-unknown-key-did-you-mean",
    UnknownKey => "config-unknown-key",
    /// A firm-only key in the user's overrides file.
    FirmOnly => "config-firm-only",
    Missing => "config-missing",
    WrongType => "config-wrong-type",
    OutOfRange => "config-out-of-range",
    NotAChoiceDidYouMean => "config-not-a-choice-did-you-mean",
    NotAChoice => "config-not-a-choice",
    NotAUrl => "config-not-a-url",
    UrlCredentials => "config-url-credentials",
    PlainHttp => "config-plain-http",
    UrlScheme => "config-url-scheme",
    PathEmpty => "config-path-empty",
    PathMissing => "config-path-missing",
    TenantMulti => "config-tenant-multi",
    TenantInvalid => "config-tenant-invalid",
    ClientId => "config-client-id",
    AuthorityPath => "config-authority-path",
    GraphQuery => "config-graph-query",
    SecretExpiresDate => "config-secret-expires-date",
    SecretExpiresPublic => "config-secret-expires-public",
    RedirectPort => "config-redirect-port",
    RedirectPath => "config-redirect-path",
    RedirectUriBoth => "config-redirect-uri-both",
    RedirectUriNotUrl => "config-redirect-uri-not-url",
    RedirectUriNotLoopback => "config-redirect-uri-not-loopback",
    ScopesWords => "config-scopes-words",
    ScopesOffline => "config-scopes-offline",
    UnusedByKind => "config-unused-by-kind",
    SourcePathAndUrl => "config-source-path-and-url",
    SourceCredentialForPath => "config-source-credential-for-path",
    SourceUsernameEmpty => "config-source-username-empty",
    SourceBasicNeedsUsername => "config-source-basic-needs-username",
    SourceUsernameUnused => "config-source-username-unused",
    MaxDeleteShare => "config-max-delete-share",
    TimeZone => "config-time-zone",
    XProperty => "config-x-property",
    Categories => "config-categories",
    /// Notices about a valid configuration.
    SecretExpiryUnknown => "config-secret-expiry-unknown",
    SecretExpired => "config-secret-expired",
    SecretExpiresSoon => "config-secret-expires-soon",
}

impl Kind {
    /// The message, without arguments yet.
    pub fn message(self) -> Message {
        Message::new(self.id())
    }
}

/// Words used inside the messages (value types, what a key wants, why a
/// range is what it is): plain messages without `.body`.
pub const WORDS: &[&str] = &[
    "config-type-text",
    "config-type-integer",
    "config-type-float",
    "config-type-bool",
    "config-type-datetime",
    "config-type-list",
    "config-type-table",
    "config-type-nothing",
    "config-want-text",
    "config-want-bool",
    "config-want-integer",
    "config-want-share",
    "config-want-scopes",
    "config-want-categories",
    "config-why-sync-interval",
    "config-why-keep-alive",
    "config-why-keep-days",
];

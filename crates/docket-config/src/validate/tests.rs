//! Validation table-tested: each config (and user override) against the
//! config or the exact problems, with their keys, a person gets.

use super::*;

const FIRM: &str = "/etc/docketsync/config.toml";
const USER: &str = "/home/anna/.config/docketsync/config.toml";

/// A valid firm config to build cases on.
const MIN: &str = r#"
[microsoft]
tenant = "contoso.onmicrosoft.com"
client_id = "0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01"
[source]
kind = "demo"
"#;

enum Expect<'a> {
    /// Valid; each fragment must appear in the config's `Debug` output.
    Valid(&'a [&'a str]),
    /// Exactly these problems, in order: (dotted key or "" for none,
    /// fragment of the rendered problem: file, reason or fix).
    Problems(&'a [(&'a str, &'a str)]),
}

/// Validate `firm` (and `user` overrides) and compare with `expect`.
/// Files whose path contains "exists" exist.
fn check(firm: &str, user: Option<&str>, expect: Expect<'_>) {
    let firm = FileText {
        path: Path::new(FIRM),
        text: firm,
    };
    let user = user.map(|text| FileText {
        path: Path::new(USER),
        text,
    });
    let got = validate(Some(firm), user, &|p: &Path| {
        p.to_string_lossy().contains("exists")
    });
    match (got, expect) {
        (Ok(config), Expect::Valid(fragments)) => {
            let debug = format!("{config:?}");
            for f in fragments {
                assert!(debug.contains(f), "{f:?} not in {debug}");
            }
        }
        (Err(Problems(problems)), Expect::Problems(expected)) => {
            let rendered: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            assert_eq!(
                problems.len(),
                expected.len(),
                "problems:\n{}",
                rendered.join("\n")
            );
            for ((p, text), (key, fragment)) in problems.iter().zip(&rendered).zip(expected) {
                assert_eq!(p.key.as_deref().unwrap_or(""), *key, "{text}");
                assert!(text.contains(fragment), "{fragment:?} not in {text}");
                // Every reason is in the catalogue (a missing one renders
                // as its id in brackets).
                assert!(!text.contains("[config-"), "{text}");
                assert!(!text.contains("{$"), "an argument is missing: {text}");
            }
        }
        (Ok(config), Expect::Problems(_)) => panic!("Expected problems, got {config:#?}"),
        (Err(problems), Expect::Valid(_)) => panic!("Expected valid, got {problems}"),
    }
}

fn with(extra_microsoft: &str) -> String {
    MIN.replace("[source]", &format!("{extra_microsoft}\n[source]"))
}

#[test]
fn minimal_config_gets_documented_defaults() {
    check(
        MIN,
        None,
        Expect::Valid(&[
            "tenant: Domain(\"contoso.onmicrosoft.com\")",
            "authority_host: \"https://login.microsoftonline.com\"",
            "graph_base_url: \"https://graph.microsoft.com/v1.0\"",
            "client_type: Public",
            "redirect_port: 0",
            "redirect_path: \"/\"",
            "\"offline_access\"",
            "source: Demo",
            "modules: Modules { calendar: true, tasks: true, contacts: true }",
            "deadlines_to: Todo",
            "max_delete_share: 0.2",
            "sync_interval_minutes: 15",
            "level: Info",
            "allow_plaintext_tokens: false",
        ]),
    );
}

#[test]
fn tenant_rules() {
    check(
        &MIN.replace(
            "contoso.onmicrosoft.com",
            "5B1C1E0A-6D2F-4C3E-9A57-0D0C5E7A1F01",
        ),
        None,
        Expect::Valid(&["Id(5b1c1e0a-6d2f-4c3e-9a57-0d0c5e7a1f01)"]),
    );
    check(
        &MIN.replace("contoso.onmicrosoft.com", "Kanzlei-Berger.de"),
        None,
        Expect::Valid(&["Domain(\"kanzlei-berger.de\")"]),
    );
    for multi in ["common", "organizations", "Consumers"] {
        check(
            &MIN.replace("contoso.onmicrosoft.com", multi),
            None,
            Expect::Problems(&[("microsoft.tenant", "AADSTS50194")]),
        );
    }
    check(
        &MIN.replace("contoso.onmicrosoft.com", "my tenant"),
        None,
        Expect::Problems(&[("microsoft.tenant", "Directory (tenant) ID")]),
    );
    check(
        &MIN.replace("tenant = \"contoso.onmicrosoft.com\"\n", ""),
        None,
        Expect::Problems(&[("microsoft.tenant", "is required but not set")]),
    );
    check(
        &MIN.replace("\"contoso.onmicrosoft.com\"", "42"),
        None,
        Expect::Problems(&[("microsoft.tenant", "Expected text in double quotes")]),
    );
}

#[test]
fn client_id_must_be_a_guid() {
    check(
        &MIN.replace("0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01", "docket-sync"),
        None,
        Expect::Problems(&[("microsoft.client_id", "Application (client) ID")]),
    );
    check(
        &MIN.replace("client_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n", ""),
        None,
        Expect::Problems(&[("microsoft.client_id", "is required but not set")]),
    );
}

#[test]
fn endpoints_must_be_https_unless_loopback() {
    check(
        &with("authority_host = \"http://127.0.0.1:8400/\"\ngraph_base_url = \"http://localhost:8400/v1.0/\""),
        None,
        Expect::Valid(&[
            "authority_host: \"http://127.0.0.1:8400\"",
            "graph_base_url: \"http://localhost:8400/v1.0\"",
        ]),
    );
    check(
        &with("authority_host = \"http://login.example.com\""),
        None,
        Expect::Problems(&[("microsoft.authority_host", "only allowed for this computer")]),
    );
    check(
        &with("authority_host = \"https://login.microsoftonline.com/contoso.onmicrosoft.com\""),
        None,
        Expect::Problems(&[(
            "microsoft.authority_host",
            "the tenant goes in microsoft.tenant",
        )]),
    );
    check(
        &with("graph_base_url = \"ftp://graph.example.com\""),
        None,
        Expect::Problems(&[("microsoft.graph_base_url", "scheme \"ftp\"")]),
    );
    check(
        &with("graph_base_url = \"not a url\""),
        None,
        Expect::Problems(&[("microsoft.graph_base_url", "is not a URL")]),
    );
}

#[test]
fn secrets_are_rejected_in_any_file() {
    check(
        &with("client_type = \"confidential\"\nclient_secret = \"abc\"\nclient_secret_expires = 2027-01-31"),
        None,
        Expect::Problems(&[("microsoft.client_secret", "this computer's keyring")]),
    );
    check(
        MIN,
        Some("[microsoft]\nclient_secret = \"abc\"\n"),
        Expect::Problems(&[("microsoft.client_secret", USER)]),
    );
    check(
        &format!("client_secret = \"abc\"\n{MIN}"),
        None,
        Expect::Problems(&[("client_secret", "this computer's keyring")]),
    );
    check(
        &MIN.replace(
            "kind = \"demo\"",
            "kind = \"caldav\"\nurl = \"https://dav.example.com/\"\npassword = \"pw\"",
        ),
        None,
        Expect::Problems(&[("source.password", "this computer's keyring")]),
    );
    check(
        &MIN.replace(
            "kind = \"demo\"",
            "kind = \"caldav\"\nurl = \"https://anna:pw@dav.example.com/\"",
        ),
        None,
        Expect::Problems(&[("source.url", "Remove the user:password@ part")]),
    );
}

#[test]
fn client_type_and_secret_expiry() {
    check(
        &with("client_type = \"confidential\"\nclient_secret_expires = 2027-01-31"),
        None,
        Expect::Valid(&[
            "client_type: Confidential",
            "client_secret_expires: Some(2027-01-31)",
        ]),
    );
    check(
        &with("client_type = \"confidental\""),
        None,
        Expect::Problems(&[("microsoft.client_type", "Did you mean \"confidential\"")]),
    );
    check(
        &with("client_secret_expires = 2027-01-31"),
        None,
        Expect::Problems(&[(
            "microsoft.client_secret_expires",
            "public client has no client secret",
        )]),
    );
    check(
        &with("client_type = \"confidential\"\nclient_secret_expires = \"next year\""),
        None,
        Expect::Problems(&[("microsoft.client_secret_expires", "2026-12-31")]),
    );
}

#[test]
fn redirect_rules() {
    check(
        &with("redirect_port = 50993\nredirect_path = \"/auth\""),
        None,
        Expect::Valid(&["redirect_port: 50993", "redirect_path: \"/auth\""]),
    );
    check(
        &with("redirect_uri = \"http://127.0.0.1:50993/authorize/\""),
        None,
        Expect::Valid(&["redirect_uri: Some(\"http://127.0.0.1:50993/authorize/\")"]),
    );
    check(
        &with("redirect_port = 80"),
        None,
        Expect::Problems(&[("microsoft.redirect_port", "1024 to 65535")]),
    );
    check(
        &with("redirect_port = 70000"),
        None,
        Expect::Problems(&[("microsoft.redirect_port", "1024 to 65535")]),
    );
    check(
        &with("redirect_path = \"auth\""),
        None,
        Expect::Problems(&[("microsoft.redirect_path", "starts with /")]),
    );
    for uri in [
        "https://localhost:50993/",
        "http://example.com:50993/",
        "http://[::1]:50993/",
        "http://localhost/#x",
    ] {
        check(
            &with(&format!("redirect_uri = \"{uri}\"")),
            None,
            Expect::Problems(&[("microsoft.redirect_uri", "not a loopback redirect")]),
        );
    }
    check(
        &with("redirect_uri = \"http://localhost:5000/\"\nredirect_port = 5000"),
        None,
        Expect::Problems(&[("microsoft.redirect_uri", "either redirect_uri alone")]),
    );
}

#[test]
fn extra_ca_file_must_exist_relative_to_the_config_file() {
    check(
        &with("extra_ca_file = \"exists-ca.pem\""),
        None,
        Expect::Valid(&["extra_ca_file: Some(\"/etc/docketsync/exists-ca.pem\")"]),
    );
    check(
        &with("extra_ca_file = \"/missing/ca.pem\""),
        None,
        Expect::Problems(&[("microsoft.extra_ca_file", "/missing/ca.pem does not exist")]),
    );
}

#[test]
fn scopes_rules() {
    check(
        &with("scopes = [\"offline_access\", \"Calendars.ReadWrite\"]"),
        None,
        Expect::Valid(&["scopes: [\"offline_access\", \"Calendars.ReadWrite\"]"]),
    );
    check(
        &with("scopes = [\"Calendars.ReadWrite\"]"),
        None,
        Expect::Problems(&[("microsoft.scopes", "offline_access missing")]),
    );
    check(
        &with("scopes = \"offline_access Calendars.ReadWrite\""),
        None,
        Expect::Problems(&[("microsoft.scopes", "Expected a list of scopes")]),
    );
    check(
        &with("scopes = [\"offline_access\", \"\"]"),
        None,
        Expect::Problems(&[("microsoft.scopes", "one non-empty word")]),
    );
}

#[test]
fn source_kinds() {
    let src = |s: &str| MIN.replace("kind = \"demo\"", s);
    check(
        &src("kind = \"ics\"\npath = \"exists.ics\""),
        None,
        Expect::Valid(&["IcsFile { path: \"/etc/docketsync/exists.ics\" }"]),
    );
    check(
        &src("kind = \"ics\"\nurl = \"https://pms.example.com/feed.ics\""),
        None,
        Expect::Valid(&[
            "IcsUrl { url: \"https://pms.example.com/feed.ics\", auth: None, username: None }",
        ]),
    );
    check(
        &src("kind = \"caldav\"\nurl = \"https://dav.example.com/cal/\"\nusername = \"anna\""),
        None,
        Expect::Valid(&[
            "CalDav { url: \"https://dav.example.com/cal/\", tasks_url: None, contacts_url: None, \
             auth: Basic, username: Some(\"anna\") }",
        ]),
    );
    check(
        &src("kind = \"ics\""),
        None,
        Expect::Problems(&[("source.path", "is required but not set")]),
    );
    check(
        &src("kind = \"ics\"\npath = \"exists.ics\"\nurl = \"https://x.example.com/a.ics\""),
        None,
        Expect::Problems(&[("source.url", "not both")]),
    );
    check(
        &src("kind = \"caldav\""),
        None,
        Expect::Problems(&[("source.url", "is required but not set")]),
    );
    check(
        &src("kind = \"demo\"\npath = \"a.ics\""),
        None,
        Expect::Problems(&[("source.path", "not used by kind = \"demo\"")]),
    );
    check(
        &src("kind = \"outlook\""),
        None,
        Expect::Problems(&[("source.kind", "\"demo\", \"ics\", \"caldav\"")]),
    );
    check(
        &MIN.replace("[source]\nkind = \"demo\"\n", ""),
        None,
        Expect::Problems(&[("source.kind", "is required but not set")]),
    );
}

#[test]
fn source_auth_and_dav_collections() {
    let src = |s: &str| MIN.replace("kind = \"demo\"", s);
    let dav = "kind = \"caldav\"\nurl = \"https://dav.example.com/cal/\"\n";
    let feed = "kind = \"ics\"\nurl = \"https://pms.example.com/feed.ics\"\n";
    check(
        &src(&format!(
            "{dav}tasks_url = \"https://dav.example.com/tasks/\"\n\
             contacts_url = \"http://127.0.0.1:5232/anna/book/\"\n\
             auth = \"basic\"\nusername = \"anna\""
        )),
        None,
        Expect::Valid(&[
            "tasks_url: Some(\"https://dav.example.com/tasks/\")",
            "contacts_url: Some(\"http://127.0.0.1:5232/anna/book/\")",
            "auth: Basic, username: Some(\"anna\")",
        ]),
    );
    check(
        &src(&format!("{feed}auth = \"bearer\"")),
        None,
        Expect::Valid(&["auth: Bearer, username: None"]),
    );
    check(
        &src(&format!("{feed}username = \"anna\"")),
        None,
        Expect::Valid(&["auth: Basic, username: Some(\"anna\")"]),
    );
    check(
        &src(&format!("{dav}auth = \"Basic\"")),
        None,
        Expect::Problems(&[("source.auth", "Add username = ")]),
    );
    check(
        &src(&format!("{feed}auth = \"bearer\"\nusername = \"anna\"")),
        None,
        Expect::Problems(&[("source.username", "is not used by auth = \"bearer\"")]),
    );
    check(
        &src(&format!("{feed}auth = \"none\"\nusername = \"anna\"")),
        None,
        Expect::Problems(&[("source.username", "set auth = \"basic\"")]),
    );
    check(
        &src(&format!("{feed}auth = \"ntlm\"")),
        None,
        Expect::Problems(&[("source.auth", "\"none\", \"basic\", \"bearer\"")]),
    );
    check(
        &src(&format!("{feed}username = \"\"")),
        None,
        Expect::Problems(&[("source.username", "The user name is empty")]),
    );
    check(
        &src(&format!(
            "{feed}tasks_url = \"https://pms.example.com/tasks/\""
        )),
        None,
        Expect::Problems(&[("source.tasks_url", "not used by kind = \"ics\"")]),
    );
    check(
        &src("kind = \"ics\"\npath = \"exists.ics\"\nauth = \"basic\"\nusername = \"anna\""),
        None,
        Expect::Problems(&[
            ("source.auth", "A file on disk needs no credential"),
            ("source.username", "A file on disk needs no credential"),
        ]),
    );
    check(
        &src(&format!(
            "{dav}contacts_url = \"http://dav.example.com/book/\""
        )),
        None,
        Expect::Problems(&[("source.contacts_url", "anything else must use https")]),
    );
    check(
        &src(&format!(
            "{dav}tasks_url = \"https://anna:pw@dav.example.com/tasks/\""
        )),
        None,
        Expect::Problems(&[("source.tasks_url", "Remove the user:password@ part")]),
    );
    check(
        &src("kind = \"demo\"\nauth = \"none\"\ncontacts_url = \"https://x.example.com/\""),
        None,
        Expect::Problems(&[
            ("source.contacts_url", "not used by kind = \"demo\""),
            ("source.auth", "not used by kind = \"demo\""),
        ]),
    );
    check(
        &src(&format!("{dav}path = \"exists.ics\"")),
        None,
        Expect::Problems(&[("source.path", "not used by kind = \"caldav\"")]),
    );
}

#[test]
fn policy_logging_and_storage_ranges() {
    let cfg = |s: &str| format!("{MIN}{s}");
    check(
        &cfg("[policy]\ndeadlines_to = \"calendar\"\nforce_private = true\nmax_delete_share = 1\nsync_interval_minutes = 5\nkeep_alive_hours = 12\n[logging]\nlevel = \"debug\"\nkeep_days = 30\n[storage]\nallow_plaintext_tokens = true\n"),
        None,
        Expect::Valid(&[
            "deadlines_to: Calendar",
            "force_private: true",
            "max_delete_share: 1.0",
            "sync_interval_minutes: 5",
            "keep_alive_hours: 12",
            "level: Debug, keep_days: 30",
            "allow_plaintext_tokens: true",
        ]),
    );
    // IT pins the mailbox's zone; a name that is no IANA zone is named
    // with the fix (and the computer's zone is used meanwhile).
    check(
        &cfg("[policy]\nmailbox_time_zone = \"Europe/Berlin\"\n"),
        None,
        Expect::Valid(&["mailbox_time_zone: Some(Europe/Berlin)"]),
    );
    check(
        &cfg("[policy]\nmailbox_time_zone = \"Mitteleuropa\"\n"),
        None,
        Expect::Problems(&[(
            "policy.mailbox_time_zone",
            "\"Mitteleuropa\" is not an IANA time zone name",
        )]),
    );
    check(
        &cfg("[policy]\nmax_delete_share = 1.5\n"),
        None,
        Expect::Problems(&[("policy.max_delete_share", "between 0 and 1")]),
    );
    check(
        &cfg("[policy]\nsync_interval_minutes = 1\n"),
        None,
        Expect::Problems(&[("policy.sync_interval_minutes", "from 5 to 1440")]),
    );
    check(
        &cfg("[policy]\nforce_private = \"yes\"\n"),
        None,
        Expect::Problems(&[("policy.force_private", "Expected true or false")]),
    );
    check(
        &cfg("[logging]\nlevel = \"verbose\"\n"),
        None,
        Expect::Problems(&[("logging.level", "\"error\", \"warn\"")]),
    );
}

#[test]
fn unknown_keys_suggest_the_nearest() {
    check(
        &with("tennant = \"x\""),
        None,
        Expect::Problems(&[("microsoft.tennant", "Did you mean microsoft.tenant?")]),
    );
    check(
        &format!("{MIN}[modules]\ncalender = true\n"),
        None,
        Expect::Problems(&[("modules.calender", "Did you mean modules.calendar?")]),
    );
    check(
        &format!("{MIN}[polcy]\nforce_private = true\n"),
        None,
        Expect::Problems(&[("polcy", "Did you mean [policy]?")]),
    );
    check(
        &with("sync_interval_minutes = 10"),
        None,
        Expect::Problems(&[("microsoft.sync_interval_minutes", "belongs in [policy]")]),
    );
    check(
        &format!("level = \"info\"\n{MIN}"),
        None,
        Expect::Problems(&[("level", "below a [logging] line")]),
    );
}

#[test]
fn user_overrides_only_their_keys() {
    check(
        MIN,
        Some("[modules]\ncontacts = false\n[policy]\nsync_interval_minutes = 30\n[logging]\nlevel = \"warn\"\n"),
        Expect::Valid(&["contacts: false", "sync_interval_minutes: 30", "level: Warn"]),
    );
    check(
        MIN,
        Some(
            "[microsoft]\ntenant = \"fabrikam.onmicrosoft.com\"\n[policy]\nforce_private = false\n",
        ),
        Expect::Problems(&[
            (
                "microsoft.tenant",
                "A personal override cannot change this key",
            ),
            (
                "policy.force_private",
                "IT can change it in the firm configuration",
            ),
        ]),
    );
    // Each fee-earner's own PMS address and user name; the firm keeps the
    // kind of source and how it authenticates.
    check(
        &MIN.replace(
            "kind = \"demo\"",
            "kind = \"caldav\"\nauth = \"basic\"\nurl = \"https://dav.kanzlei.example/firm/\"\nusername = \"firm\"",
        ),
        Some("[source]\nurl = \"https://dav.kanzlei.example/anna/kalender/\"\nusername = \"anna.berger\"\n"),
        Expect::Valid(&["anna/kalender/", "anna.berger"]),
    );
    check(
        MIN,
        Some("[source]\nkind = \"ics\"\nauth = \"none\"\n"),
        Expect::Problems(&[
            ("source.auth", "A personal override cannot change this key"),
            ("source.kind", "A personal override cannot change this key"),
        ]),
    );
    // A bad value set by the user is reported against the user's file.
    check(
        MIN,
        Some("[policy]\nsync_interval_minutes = 2\n"),
        Expect::Problems(&[("policy.sync_interval_minutes", USER)]),
    );
}

#[test]
fn syntax_errors_give_line_and_column() {
    check(
        "[microsoft]\ntenant = contoso\n",
        None,
        Expect::Problems(&[("", "config.toml:2:10: Configuration file is not valid")]),
    );
    // The firm file's syntax error does not hide the user's problems.
    check(
        "[microsoft\n",
        Some("[modules]\ncalender = true\n"),
        Expect::Problems(&[("", "config.toml:1:"), ("modules.calender", "calendar")]),
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    check(
        "[microsoft]\ntenant = \"common\"\nclient_id = \"x\"\nredirect_port = 1\n[source]\nkind = \"demo\"\n[policy]\nmax_delete_share = 2.0\n",
        None,
        Expect::Problems(&[
            ("microsoft.tenant", "Multi-tenant"),
            ("microsoft.client_id", "not a GUID"),
            ("microsoft.redirect_port", "1024"),
            ("policy.max_delete_share", "between 0 and 1"),
        ]),
    );
}

#[test]
fn line_col_counts_characters() {
    assert_eq!(line_col("ab\ncäd", 6), (2, 3));
    assert_eq!(line_col("x", 0), (1, 1));
}

#[test]
fn conventions_name_the_firms_markers() {
    check(
        &format!(
            "{MIN}[conventions]\nkind_property = \"x-pms-typ\"\ndeadline_categories = [\"Notfrist\"]\n\
             followup_categories = [\"WV\", \"Wiedervorlage\"]\ndefault_kind = \"followup\"\n\
             subscribed_property = \"X-PMS-OUTLOOK\"\nsubscribed_categories = [\"Mandant\"]\n"
        ),
        None,
        Expect::Valid(&[
            "kind_property: \"X-PMS-TYP\"",
            "deadline_categories: [\"Notfrist\"]",
            "followup_categories: [\"WV\", \"Wiedervorlage\"]",
            "default_kind: FollowUp",
            "subscribed_categories: [\"Mandant\"]",
        ]),
    );
    // Nothing set: the built-in conventions.
    check(
        MIN,
        None,
        Expect::Valid(&["kind_property: \"X-DOCKET-KIND\"", "default_kind: Deadline"]),
    );
    check(
        &format!(
            "{MIN}[conventions]\nkind_property = \"PMS-TYP\"\ndeadline_categories = \"Frist\"\n\
             followup_categories = [\"\"]\ndefault_kind = \"frist\"\nsubscribed_property = \"X-\"\n"
        ),
        None,
        Expect::Problems(&[
            ("conventions.default_kind", "\"deadline\""),
            (
                "conventions.kind_property",
                "not an extension property name",
            ),
            (
                "conventions.deadline_categories",
                "a list of category names",
            ),
            ("conventions.followup_categories", "non-empty category name"),
            ("conventions.subscribed_property", "X- followed by letters"),
        ]),
    );
}

#[test]
fn the_app_section_is_the_users() {
    // Defaults: the system's language, start at login.
    check(
        MIN,
        None,
        Expect::Valid(&["language: None", "start_at_login: true"]),
    );
    check(
        MIN,
        Some("[app]\nlanguage = \"de\"\nstart_at_login = false\n"),
        Expect::Valid(&["language: Some(\"de\")", "start_at_login: false"]),
    );
    check(
        MIN,
        Some("[app]\nlanguage = \"fr\"\n"),
        Expect::Problems(&[("app.language", "\"system\", \"en\", \"de\"")]),
    );
}

/// Every kind of problem and every word inside them has its text in both
/// languages (headline and `.body`), and the two languages differ.
#[test]
fn every_kind_of_problem_has_its_words_in_english_and_german() {
    use docket_text::{Lang, Texts};
    let en = Texts::new(Lang::En);
    let de = Texts::new(Lang::De);
    let mut missing = vec![];
    for kind in crate::Kind::ALL {
        for t in [&en, &de] {
            for attr in [None, Some("body")] {
                if !t.has(kind.id(), attr) {
                    missing.push(format!("{}: {} {attr:?}", t.lang(), kind.id()));
                }
            }
        }
        let m = kind.message();
        assert_ne!(en.attr(&m, "body"), de.attr(&m, "body"), "{kind:?}");
    }
    for id in crate::WORDS {
        for t in [&en, &de] {
            if !t.has(id, None) {
                missing.push(format!("{}: {id}", t.lang()));
            }
        }
    }
    assert!(missing.is_empty(), "missing:\n{}", missing.join("\n"));
}

/// A problem as a person reads it: the key, the headline, the
/// explanation and the fix's label, in both languages.
#[test]
fn problems_read_as_a_person_sees_them() {
    use docket_text::{Lang, Texts};
    #[track_caller]
    fn check(firm: &str, lang: Lang, expect: &[[&str; 4]]) {
        let firm = FileText {
            path: Path::new(FIRM),
            text: firm,
        };
        let Err(Problems(problems)) = validate(Some(firm), None, &|_| true) else {
            panic!("expected problems");
        };
        let t = Texts::new(lang);
        let got: Vec<[String; 4]> = problems
            .iter()
            .map(|p| {
                [
                    p.key.clone().unwrap_or_default(),
                    t.render(&p.reason),
                    t.attr(&p.reason, "body").unwrap_or_default(),
                    t.render(&p.fix.label()),
                ]
            })
            .collect();
        assert_eq!(got, expect, "{lang}");
    }
    let bad = MIN.replace(
        "[source]",
        "client_secret = \"s3cr3t\"\n[source]",
    ) + "[policy]\nsync_intervall_minutes = 10\nsync_interval_minutes = 2\ndeadlines_to = \"kalender\"\n";
    check(
        &bad,
        Lang::En,
        &[
            [
                "microsoft.client_secret",
                "No secrets in configuration files",
                "Secrets are never read from a configuration file: files are copied, backed up and readable by administrators. Delete this line; Docket Sync keeps the secret in this computer's keyring (Windows Credential Manager, macOS Keychain or the Secret Service on Linux).",
                "IT: store a new client secret",
            ],
            [
                "policy.sync_intervall_minutes",
                "Unknown key",
                "There is no such key. Did you mean policy.sync_interval_minutes?",
                "IT: change policy.sync_intervall_minutes in the configuration file",
            ],
            [
                "policy.deadlines_to",
                "Not a valid choice",
                "\"kalender\" is not a valid choice. Did you mean \"calendar\"? The choices are \"todo\", \"calendar\".",
                "IT: change policy.deadlines_to in the configuration file",
            ],
            [
                "policy.sync_interval_minutes",
                "Value out of range",
                "2 is out of range: exporting more often than every 5 minutes gets throttled by Microsoft Graph. Use a whole number from 5 to 1440 (default 15).",
                "IT: change policy.sync_interval_minutes in the configuration file",
            ],
        ],
    );
    check(
        &bad,
        Lang::De,
        &[
            [
                "microsoft.client_secret",
                "Keine Geheimnisse in Konfigurationsdateien",
                "Geheimnisse werden nie aus einer Konfigurationsdatei gelesen: Dateien werden kopiert, gesichert und sind für Administratoren lesbar. Löschen Sie diese Zeile; Docket Sync bewahrt das Geheimnis im Schlüsselbund dieses Computers auf (Windows-Anmeldeinformationsverwaltung, macOS-Schlüsselbund oder Secret Service unter Linux).",
                "IT: einen neuen geheimen Clientschlüssel hinterlegen",
            ],
            [
                "policy.sync_intervall_minutes",
                "Unbekannter Schlüssel",
                "Diesen Schlüssel gibt es nicht. Meinten Sie policy.sync_interval_minutes?",
                "IT: policy.sync_intervall_minutes in der Konfigurationsdatei ändern",
            ],
            [
                "policy.deadlines_to",
                "Keine gültige Auswahl",
                "„kalender“ ist keine gültige Auswahl. Meinten Sie „calendar“? Möglich sind \"todo\", \"calendar\".",
                "IT: policy.deadlines_to in der Konfigurationsdatei ändern",
            ],
            [
                "policy.sync_interval_minutes",
                "Wert außerhalb des Bereichs",
                "2 liegt außerhalb des Bereichs: wer häufiger als alle 5 Minuten exportiert, wird von Microsoft Graph gebremst. Verwenden Sie eine ganze Zahl von 5 bis 1440 (Standard 15).",
                "IT: policy.sync_interval_minutes in der Konfigurationsdatei ändern",
            ],
        ],
    );
    check(
        &MIN.replace("tenant = \"contoso.onmicrosoft.com\"", "tenant = 5"),
        Lang::De,
        &[[
            "microsoft.tenant",
            "Falsche Art von Wert",
            "Erwartet wird Text in doppelten Anführungszeichen, gefunden wurde eine ganze Zahl. Schreiben Sie tenant = \"contoso.onmicrosoft.com\".",
            "IT: microsoft.tenant in der Konfigurationsdatei ändern",
        ]],
    );
}

/// The fix of a secret says where the secret goes; every other problem
/// with a key is "change that key"; IT acts on the configuration.
#[test]
fn secrets_say_where_they_go_and_other_fixes_name_the_key() {
    use docket_text::{Action, Who};
    #[track_caller]
    fn check(firm: &str, expect: &[(&str, Action)]) {
        let firm = FileText {
            path: Path::new(FIRM),
            text: firm,
        };
        let Err(Problems(problems)) = validate(Some(firm), None, &|_| true) else {
            panic!("expected problems");
        };
        let got: Vec<_> = problems
            .iter()
            .map(|p| (p.key.as_deref().unwrap_or(""), p.fix.clone()))
            .collect();
        assert_eq!(got, expect);
        assert!(problems.iter().all(|p| p.who() == Who::Admin));
    }
    let edit = |key: &str| Action::EditConfig { key: key.into() };
    check(
        "client_secret = \"x\"\n[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\n\
         client_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\nclient_secret = \"x\"\n\
         [source]\nkind = \"demo\"\npassword = \"x\"\nrefresh_token = \"x\"\n",
        &[
            ("client_secret", Action::SetClientSecret),
            ("microsoft.client_secret", Action::SetClientSecret),
            ("source.password", Action::SetSourceCredential),
            ("source.refresh_token", edit("source.refresh_token")),
        ],
    );
    check(
        "[microsoft]\ntenant = \"common\"\n[source]\nkind = \"demo\"\n",
        &[
            ("microsoft.tenant", edit("microsoft.tenant")),
            ("microsoft.client_id", edit("microsoft.client_id")),
        ],
    );
    check("[microsoft\n", &[("", Action::AskAdmin)]);
}

/// A bad value of a key the user may set, in the user's own overrides, is
/// theirs to change; the same value in the firm file is IT's.
#[test]
fn a_bad_value_in_the_users_own_file_is_theirs_to_fix() {
    use docket_text::{Action, Who};
    let fix = |user: Option<&str>, firm_extra: &str| {
        let firm = format!("{MIN}{firm_extra}");
        let firm = FileText {
            path: Path::new(FIRM),
            text: &firm,
        };
        let user = user.map(|text| FileText {
            path: Path::new(USER),
            text,
        });
        let Err(Problems(problems)) = validate(Some(firm), user, &|_| true) else {
            panic!("expected problems");
        };
        (problems[0].fix.clone(), problems[0].who())
    };
    let interval = "policy.sync_interval_minutes".to_string();
    assert_eq!(
        fix(Some("[policy]\nsync_interval_minutes = 0\n"), ""),
        (
            Action::ChangeSetting {
                key: interval.clone()
            },
            Who::User
        )
    );
    assert_eq!(
        fix(None, "[policy]\nsync_interval_minutes = 0\n"),
        (Action::EditConfig { key: interval }, Who::Admin)
    );
    // The table, for the fixes of runtime problems.
    assert_eq!(
        settle(Action::EditConfig {
            key: "source.url".into()
        }),
        Action::ChangeSetting {
            key: "source.url".into()
        }
    );
    assert_eq!(
        settle(Action::EditConfig {
            key: "source.auth".into()
        }),
        Action::EditConfig {
            key: "source.auth".into()
        }
    );
    assert_eq!(settle(Action::SignIn), Action::SignIn);
}

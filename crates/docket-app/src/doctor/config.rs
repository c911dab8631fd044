//! The configuration itself: does it load, does the client secret expire
//! soon, and which zone the mailbox's items go out in.

use std::path::Path;

use chrono::{DateTime, Utc};
use docket_config::{Config, Severity};
use docket_paths::Paths;
use docket_text::{Action, Message};

use super::Check;
use crate::ZoneOrigin;

/// Load the firm configuration and the user's overrides: the config (when
/// valid) and the check that says so, or lists every problem.
pub(super) fn load(file: &Path, paths: &Paths) -> (Option<Config>, Check) {
    match docket_config::load(file, &paths.user_config_file) {
        Ok(config) => {
            let overrides = paths
                .user_config_file
                .is_file()
                .then_some(&paths.user_config_file);
            (Some(config), loaded(file, overrides))
        }
        Err(problems) => (None, invalid(file, &problems)),
    }
}

/// The configuration an open app holds: valid, or it would not be open.
pub(super) fn opened() -> Check {
    Check::pass("config", Message::new("doctor-config-loaded"))
}

fn loaded(file: &Path, overrides: Option<&std::path::PathBuf>) -> Check {
    let message = match overrides {
        Some(o) => Message::new("doctor-config-ok-overrides")
            .text("file", file.display().to_string())
            .text("overrides", o.display().to_string()),
        None => Message::new("doctor-config-ok").text("file", file.display().to_string()),
    };
    Check::pass("config", message)
}

/// Every problem of the configuration, one detail line each with its own
/// fix; the check's fix is the first problem's.
fn invalid(file: &Path, problems: &docket_config::Problems) -> Check {
    // The first problem's own fix (each problem below carries its own).
    let action = problems
        .0
        .first()
        .map_or(Action::AskAdmin, |p| p.fix.clone());
    let message = Message::new("doctor-config-invalid")
        .number("n", problems.0.len())
        .text("file", file.display().to_string());
    let mut check = Check::fail("config", message, action);
    check.details = problems.0.iter().map(problem_detail).collect();
    check
}

/// One problem: where (file, line, key), what (headline and `.body`) and
/// its own fix.
pub(crate) fn problem_detail(p: &docket_config::Problem) -> super::Detail {
    let file = p.location.as_ref().map(|l| match l.line_col {
        Some((line, col)) => format!("{}:{line}:{col}", l.file.display()),
        None => l.file.display().to_string(),
    });
    let place = match (file, &p.key) {
        (Some(f), Some(k)) => Some(format!("{f}: {k}")),
        (Some(f), None) => Some(f),
        (None, Some(k)) => Some(k.clone()),
        (None, None) => None,
    };
    super::Detail {
        place,
        message: p.reason.clone(),
        action: Some(p.fix.clone()),
    }
}

/// The confidential client's secret: expiry unknown, near or past
/// (`docket_config::notices` decides the severity).
pub(super) fn client_secret(config: &Config, now: DateTime<Utc>) -> Vec<Check> {
    let today = now.date_naive();
    let expires = config.microsoft.client_secret_expires;
    docket_config::notices(config, today)
        .into_iter()
        .map(|n| {
            let message = match (expires, n.severity) {
                (None, _) => Message::new("doctor-client-secret-no-expiry"),
                (Some(date), Severity::Fail) => {
                    Message::new("doctor-client-secret-expired").date("date", date)
                }
                (Some(date), Severity::Warn) => Message::new("doctor-client-secret-expiring")
                    .date("date", date)
                    .span("in", midnight(date), midnight(today)),
            };
            let action = match expires {
                None => Action::EditConfig {
                    key: n.key.to_string(),
                },
                Some(_) => Action::SetClientSecret,
            };
            match n.severity {
                Severity::Warn => Check::warn("client-secret", message, action),
                Severity::Fail => Check::fail("client-secret", message, action),
            }
        })
        .collect()
}

fn midnight(day: chrono::NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Which zone all-day items, floating times and date-only due dates go
/// out in, and where it came from.
pub(super) fn zone(config: &Config) -> Check {
    let (tz, origin) = crate::mailbox_zone(config);
    zone_check(tz, origin)
}

fn zone_check(tz: chrono_tz::Tz, origin: ZoneOrigin) -> Check {
    let id = "mailbox-zone";
    match origin {
        ZoneOrigin::Config => Check::pass(
            id,
            Message::new("doctor-zone-config").text("zone", tz.name()),
        ),
        ZoneOrigin::Computer => Check::pass(
            id,
            Message::new("doctor-zone-computer").text("zone", tz.name()),
        ),
        ZoneOrigin::Fallback => Check::warn(
            id,
            Message::new("doctor-zone-fallback"),
            Action::EditConfig {
                key: "policy.mailbox_time_zone".into(),
            },
        ),
    }
}

/// One check of each kind this file makes (for the catalogue test).
#[cfg(test)]
pub(super) fn samples() -> Vec<Check> {
    let problems = docket_config::Problems(vec![docket_config::Problem {
        location: None,
        key: Some("microsoft.tenant".into()),
        reason: Message::new("config-missing-file"),
        fix: Action::EditConfig {
            key: "microsoft.tenant".into(),
        },
    }]);
    let file = Path::new("/etc/docketsync/config.toml");
    let day = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
    let now = midnight(day("2026-12-01"));
    let confidential = |expires: &str| {
        let text = format!(
            "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\n\
             client_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n\
             client_type = \"confidential\"\n{expires}[source]\nkind = \"demo\"\n"
        );
        let firm = docket_config::FileText {
            path: file,
            text: &text,
        };
        docket_config::validate(Some(firm), None, &|_| true).expect("valid")
    };
    let mut out = vec![
        opened(),
        loaded(file, None),
        loaded(file, Some(&file.with_file_name("user.toml"))),
        invalid(file, &problems),
        zone_check(chrono_tz::Tz::Europe__Berlin, ZoneOrigin::Config),
        zone_check(chrono_tz::Tz::Europe__Berlin, ZoneOrigin::Computer),
        zone_check(chrono_tz::Tz::UTC, ZoneOrigin::Fallback),
    ];
    for expires in [
        "",
        "client_secret_expires = 2026-11-01\n",
        "client_secret_expires = 2026-12-03\n",
    ] {
        out.extend(client_secret(&confidential(expires), now));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::CheckStatus;
    use docket_text::{Lang, Texts, Who};

    fn config(extra: &str) -> Config {
        let text = format!(
            "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\n\
             client_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n{extra}\
             [source]\nkind = \"demo\"\n"
        );
        let firm = docket_config::FileText {
            path: Path::new("firm.toml"),
            text: &text,
        };
        docket_config::validate(Some(firm), None, &|_| true).expect("valid")
    }

    fn at(day: &str) -> DateTime<Utc> {
        format!("{day}T09:00:00Z").parse().unwrap()
    }

    /// The client secret's expiry on `today`: (status, who, headline in
    /// English) per notice.
    fn check(expires: Option<&str>, today: &str, expect: &[(CheckStatus, Who, &str)]) {
        let extra = format!(
            "client_type = \"confidential\"\n{}",
            expires.map_or(String::new(), |e| format!("client_secret_expires = {e}\n"))
        );
        let texts = Texts::new(Lang::En);
        let got: Vec<(CheckStatus, Who, String)> = client_secret(&config(&extra), at(today))
            .iter()
            .map(|c| (c.status, c.who, texts.render(&c.message)))
            .collect();
        let expect: Vec<(CheckStatus, Who, String)> = expect
            .iter()
            .map(|(s, w, m)| (*s, *w, m.to_string()))
            .collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn the_client_secret_expiry() {
        use CheckStatus::*;
        check(
            None,
            "2026-12-01",
            &[(
                Warn,
                Who::Admin,
                "the client secret's expiry date is not set",
            )],
        );
        check(
            Some("2026-11-30"),
            "2026-12-01",
            &[(Fail, Who::Admin, "the client secret expired on 30 Nov 2026")],
        );
        check(
            Some("2026-12-04"),
            "2026-12-01",
            &[(
                Warn,
                Who::Admin,
                "the client secret expires on 4 Dec 2026 (in 3 days)",
            )],
        );
        check(Some("2027-06-01"), "2026-12-01", &[]);
    }

    #[test]
    fn the_mailbox_zone_says_where_it_came_from() {
        let texts = Texts::new(Lang::En);
        let pinned = zone(&config("[policy]\nmailbox_time_zone = \"Europe/Lisbon\"\n"));
        // `[policy]` after `[microsoft]` keys: the helper puts it before
        // `[source]`, which is fine for TOML.
        assert_eq!(pinned.status, CheckStatus::Pass);
        assert_eq!(
            texts.render(&pinned.message),
            "Europe/Lisbon (policy.mailbox_time_zone in the configuration)"
        );
        let computer = zone_check(chrono_tz::Tz::Europe__Berlin, ZoneOrigin::Computer);
        assert_eq!(
            texts.render(&computer.message),
            "Europe/Berlin (this computer's time zone)"
        );
        let fallback = zone_check(chrono_tz::Tz::UTC, ZoneOrigin::Fallback);
        assert_eq!(
            (fallback.status, fallback.who, fallback.action),
            (
                CheckStatus::Warn,
                Who::Admin,
                Some(Action::EditConfig {
                    key: "policy.mailbox_time_zone".into()
                })
            )
        );
    }
}

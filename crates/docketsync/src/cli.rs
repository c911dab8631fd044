//! The command line: what it accepts (clap derive, [`Cli`]) and its help
//! in the reader's language. Clap's own help texts are English; [`parse`]
//! first builds clap's command and puts the catalogue texts
//! (`locales/<lang>/cli-help.ftl`) into it — every command's description,
//! every option's help, the headings, placeholders and value names, and
//! clap's `--help`, `--version` and `help` — and only then parses.
//!
//! The help's language follows the rule of everything else the CLI
//! prints: `--lang` anywhere on the command line, else `app.language` in
//! the settings, else the system's ([`early_args`] finds `--lang` and
//! `--config` before clap has parsed).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use docket_app::{Message, Texts};

// The texts of the commands and options are in `locales/*/cli-help.ftl`
// (cli-help-command-<command>, cli-help-arg-<argument>), not in doc
// comments: clap would show those in English.
#[derive(Debug, Parser)]
#[command(name = "docketsync", version, propagate_version = true)]
pub struct Cli {
    #[arg(long, global = true, value_name = "PATH", env = "DOCKETSYNC_CONFIG")]
    pub config: Option<PathBuf>,

    #[arg(long, global = true, value_name = "LANG", value_parser = ["en", "de"])]
    pub lang: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Signin {
        #[arg(long)]
        no_browser: bool,
    },
    Signout,
    Status {
        #[arg(long)]
        json: bool,
    },
    Check {
        #[arg(long)]
        json: bool,
    },
    // `export` is the product's word; the help of `sync` says so.
    #[command(alias = "export")]
    Sync {
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        force: bool,
        #[arg(long)]
        retry_now: bool,
        #[arg(long)]
        json: bool,
    },
    Run,
    #[command(subcommand)]
    ClientSecret(ClientSecretCommand),
    #[command(subcommand)]
    SourceCredential(SourceCredentialCommand),
    Doctor {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientSecretCommand {
    Set,
}

#[derive(Debug, Subcommand)]
pub enum SourceCredentialCommand {
    Set,
}

/// `--lang` and `--config` as given on the command line (`--lang de`,
/// `--lang=de`, anywhere before a `--`), before clap parses it: the
/// help and clap's messages need the language first. The last one given
/// counts, as in clap.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct EarlyArgs {
    pub lang: Option<String>,
    pub config: Option<PathBuf>,
}

pub fn early_args(args: &[OsString]) -> EarlyArgs {
    let mut found = EarlyArgs::default();
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        let Some(text) = arg.to_str() else { continue };
        if text == "--" {
            break;
        }
        for (name, is_lang) in [("--lang", true), ("--config", false)] {
            let value = if text == name {
                rest.next().cloned()
            } else {
                text.strip_prefix(name)
                    .and_then(|v| v.strip_prefix('='))
                    .map(OsString::from)
            };
            match (value, is_lang) {
                (Some(v), true) => found.lang = Some(v.to_string_lossy().into_owned()),
                (Some(v), false) => found.config = Some(PathBuf::from(v)),
                (None, _) => {}
            }
        }
    }
    found
}

/// `args` without the `--lang` options that follow a `help` command
/// (`docketsync help --lang de`, `help sync --lang=de`): clap's `help`
/// takes command names only and called them unexpected, although
/// [`early_args`] had already chosen the help's language from them.
/// Everything else is left to clap, which checks the value.
fn without_lang_after_help(args: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut rest = args.into_iter();
    out.extend(rest.next());
    let mut in_help = false;
    while let Some(arg) = rest.next() {
        let text = arg.to_str().unwrap_or_default();
        if text == "--" {
            out.push(arg);
            out.extend(rest);
            break;
        }
        if in_help && text == "--lang" {
            rest.next();
            continue;
        }
        if in_help && text.starts_with("--lang=") {
            continue;
        }
        // The first word that is neither an option nor an option's value
        // is the command.
        let takes_value = matches!(text, "--lang" | "--config");
        if !in_help && !text.starts_with('-') {
            if text != "help" {
                out.push(arg);
                out.extend(rest);
                break;
            }
            in_help = true;
        }
        out.push(arg);
        if takes_value {
            out.extend(rest.next());
        }
    }
    out
}

/// Parse `args` with clap, the help in `texts`' language; prints the help,
/// the version or clap's error and exits when that is what they ask for.
pub fn parse(texts: &Texts, args: Vec<OsString>) -> Cli {
    let parsed = command(texts)
        .try_get_matches_from(without_lang_after_help(args))
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.unwrap_or_else(|e| match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        _ => match error_text(texts, &e) {
            Some(text) => {
                eprint!("{text}");
                std::process::exit(crate::commands::exit::USAGE.into())
            }
            None => e.exit(),
        },
    })
}

/// Clap's error about the command line in the reader's words: the
/// headline, a similar name clap found, the usage line and where to read
/// more. `None` for the kinds this does not know (clap's own English text
/// is shown then).
pub fn error_text(texts: &Texts, e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind as K, ContextValue as V};
    // Names and values quoted, in both languages: '--force'.
    let raw = |k: K| match e.get(k) {
        Some(V::String(s)) => Some(s.clone()),
        _ => None,
    };
    let text = |k: K| raw(k).map(|s| format!("'{s}'"));
    let list = |k: K| match e.get(k) {
        Some(V::String(s)) => Some(format!("'{s}'")),
        Some(V::Strings(v)) if !v.is_empty() => Some(
            v.iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    };
    let m = Message::new;
    let headline = match e.kind() {
        ErrorKind::UnknownArgument => {
            m("cli-error-unknown-argument").text("arg", text(K::InvalidArg)?)
        }
        ErrorKind::InvalidSubcommand => {
            m("cli-error-unknown-command").text("command", text(K::InvalidSubcommand)?)
        }
        ErrorKind::InvalidValue => {
            let (arg, value) = (text(K::InvalidArg)?, raw(K::InvalidValue)?);
            if value.is_empty() {
                m("cli-error-missing-value").text("arg", arg)
            } else {
                m("cli-error-invalid-value")
                    .text("arg", arg)
                    .text("value", format!("'{value}'"))
            }
        }
        ErrorKind::ArgumentConflict => {
            let arg = text(K::InvalidArg)?;
            match e.get(K::PriorArg) {
                Some(V::String(prior)) if raw(K::InvalidArg).as_ref() == Some(prior) => {
                    m("cli-error-repeated").text("arg", arg)
                }
                Some(V::String(_) | V::Strings(_)) => m("cli-error-conflict")
                    .text("arg", arg)
                    .text("other", list(K::PriorArg)?),
                _ => return None,
            }
        }
        ErrorKind::MissingSubcommand => {
            m("cli-error-missing-command").text("command", text(K::InvalidSubcommand)?)
        }
        ErrorKind::NoEquals => m("cli-error-no-equals").text("arg", text(K::InvalidArg)?),
        ErrorKind::TooManyValues => m("cli-error-too-many-values")
            .text("arg", text(K::InvalidArg)?)
            .text("value", text(K::InvalidValue)?),
        _ => return None,
    };
    let mut out = format!("{}: {}", texts.word("cli-error"), texts.render(&headline));
    if let Some(values) = list(K::ValidValue) {
        out += &format!(
            "\n  {}",
            texts.render(&m("cli-error-possible-values").text("values", values))
        );
    }
    if let Some(commands) = list(K::ValidSubcommand) {
        out += &format!(
            "\n  {}",
            texts.render(&m("cli-error-commands").text("commands", commands))
        );
    }
    out.push('\n');
    for k in [K::SuggestedSubcommand, K::SuggestedArg, K::SuggestedValue] {
        if let Some(similar) = list(k) {
            out += &format!(
                "\n  {}\n",
                texts.render(&m("cli-error-similar").text("similar", similar))
            );
        }
    }
    if let Some(V::StyledStr(usage)) = e.get(K::Usage) {
        // Clap's "Usage:" before the usage line (ours, `override_usage`).
        let usage = usage.to_string();
        let usage = usage
            .trim_start()
            .strip_prefix("Usage:")
            .unwrap_or(&usage)
            .trim();
        out += &format!("\n{}: {usage}\n", texts.word("cli-help-heading-usage"));
    }
    out += &format!("\n{}\n", texts.word("cli-error-more"));
    Some(out)
}

/// Clap's command for [`Cli`], every word from the catalogues in `texts`.
pub fn command(texts: &Texts) -> clap::Command {
    let mut cmd = Cli::command();
    // Every command, clap's own `--help`, `--version` and `help` with
    // them, exists only after the build.
    cmd.build();
    localize(cmd, &[], texts)
}

/// The catalogue id of a command's description: `cli-help-command`, then
/// the command's path ("client-secret set": `cli-help-command-client-secret-set`).
/// Clap's `help` commands (`help`, `client-secret help`) are
/// `cli-help-command-help`; the commands listed under one (`help sync`,
/// `client-secret help set`) are the commands themselves.
fn command_id(path: &[&str]) -> String {
    let path: Vec<&str> = match path {
        [.., "help"] => vec!["help"],
        _ => path.iter().copied().filter(|p| *p != "help").collect(),
    };
    std::iter::once("cli-help-command")
        .chain(path)
        .collect::<Vec<_>>()
        .join("-")
}

/// The catalogue id of an argument's help: `cli-help-arg-<command>-<arg>`
/// when the command has its own, else `cli-help-arg-<arg>`.
fn arg_id(texts: &Texts, path: &[&str], arg: &str) -> String {
    let arg = arg.replace('_', "-");
    let own = format!("cli-help-arg-{}-{arg}", path.join("-"));
    if !path.is_empty() && texts.has(&own, None) {
        own
    } else {
        format!("cli-help-arg-{arg}")
    }
}

/// `cmd` (at `path`, `[]` for the program) and everything under it in the
/// words of `texts`. Clap adds a few words of its own to a help line
/// ([possible values: …], [env: …], [default: …]); they are hidden, the
/// catalogue's help text says them.
fn localize(cmd: clap::Command, path: &[&str], texts: &Texts) -> clap::Command {
    let word = |id: &str| texts.word(id);
    let about = command_id(path);
    let after = texts.attr(&Message::new(about.clone()), "after");
    let args: Vec<(String, bool)> = cmd
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    let has_content = cmd.get_arguments().any(|a| !a.is_hide_set())
        || cmd.get_subcommands().any(|s| !s.is_hide_set());
    let usage_style = *cmd.get_styles().get_usage();
    let usage_heading = format!(
        "{usage_style}{}:{usage_style:#}",
        word("cli-help-heading-usage")
    );
    let mut cmd = cmd
        .about(word(&about))
        .long_about(None)
        .after_help(None)
        .after_long_help(None)
        .subcommand_help_heading(word("cli-help-heading-commands"))
        .subcommand_value_name(word("cli-help-value-command"))
        .help_template(template(&usage_heading, has_content));
    if let Some(after) = after {
        cmd = cmd.after_help(after);
    }
    for (id, positional) in args {
        let help = word(&arg_id(texts, path, &id));
        let heading = word(if positional {
            "cli-help-heading-arguments"
        } else {
            "cli-help-heading-options"
        });
        cmd = cmd.mut_arg(&id, |a| {
            // Flags have a value name too (their id), never shown.
            let shown = a.get_action().takes_values();
            let names: Vec<String> = a
                .get_value_names()
                .filter(|_| shown)
                .unwrap_or_default()
                .iter()
                .map(|n| word(&format!("cli-help-value-{}", n.to_lowercase())))
                .collect();
            let a = a
                .help(help)
                .long_help(None)
                .help_heading(heading)
                .hide_possible_values(true)
                .hide_default_value(true)
                .hide_env(true);
            if names.is_empty() {
                a
            } else {
                a.value_names(names)
            }
        });
    }
    // Clap's usage line, with its one word ("[OPTIONS]") in the reader's
    // language; the heading is the template's.
    let usage = cmd
        .render_usage()
        .to_string()
        .replacen("Usage:", "", 1)
        .trim()
        .replace("[OPTIONS]", &word("cli-help-placeholder-options"));
    let mut cmd = cmd.override_usage(usage);
    let children: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for child in children {
        let sub_path: Vec<&str> = path.iter().copied().chain([child.as_str()]).collect();
        cmd = cmd.mut_subcommand(&child, |s| localize(s, &sub_path, texts));
    }
    cmd
}

/// Clap's help layout (its default templates) with the usage heading in
/// the reader's language.
fn template(usage_heading: &str, has_content: bool) -> String {
    if has_content {
        format!("{{before-help}}{{about-with-newline}}\n{usage_heading} {{usage}}\n\n{{all-args}}{{after-help}}")
    } else {
        format!("{{before-help}}{{about-with-newline}}\n{usage_heading} {{usage}}{{after-help}}")
    }
}

#[cfg(test)]
mod tests {
    use docket_app::Lang;

    use super::*;

    #[test]
    fn early_args_find_lang_and_config() {
        #[track_caller]
        fn check(args: &[&str], lang: Option<&str>, config: Option<&str>) {
            let args: Vec<OsString> = std::iter::once("docketsync")
                .chain(args.iter().copied())
                .map(OsString::from)
                .collect();
            let expect = EarlyArgs {
                lang: lang.map(str::to_string),
                config: config.map(PathBuf::from),
            };
            assert_eq!(early_args(&args), expect, "{args:?}");
        }
        check(&["--help"], None, None);
        check(&["--lang", "de", "--help"], Some("de"), None);
        check(&["sync", "--help", "--lang", "de"], Some("de"), None);
        check(&["help", "sync", "--lang=de"], Some("de"), None);
        check(&["--lang", "en", "--lang", "de"], Some("de"), None);
        check(
            &["--config", "/etc/x.toml", "status"],
            None,
            Some("/etc/x.toml"),
        );
        check(
            &["--config=/etc/x.toml", "--lang=en"],
            Some("en"),
            Some("/etc/x.toml"),
        );
        // Not options: a longer name, and what follows `--`.
        check(&["--language", "de"], None, None);
        check(&["--", "--lang", "de"], None, None);
        // `--lang` as the last word has no value (clap says so).
        check(&["status", "--lang"], None, None);
    }

    /// `help --lang de`: the `--lang` that follows `help` chose the
    /// language already and is not passed on to clap's `help`.
    #[test]
    fn help_drops_the_lang_that_follows_it() {
        #[track_caller]
        fn check(args: &[&str], expect: &[&str]) {
            let args = args.iter().map(OsString::from).collect();
            let got: Vec<OsString> = without_lang_after_help(args);
            let expect: Vec<OsString> = expect.iter().map(OsString::from).collect();
            assert_eq!(got, expect);
        }
        check(
            &["docketsync", "help", "--lang", "de"],
            &["docketsync", "help"],
        );
        check(
            &["docketsync", "help", "sync", "--lang=de"],
            &["docketsync", "help", "sync"],
        );
        check(
            &["docketsync", "--lang", "de", "help", "sync", "--lang", "en"],
            &["docketsync", "--lang", "de", "help", "sync"],
        );
        // Before `help`, and for every other command, clap decides.
        check(
            &["docketsync", "--lang", "help", "status"],
            &["docketsync", "--lang", "help", "status"],
        );
        check(
            &["docketsync", "--config", "help", "help", "--lang", "de"],
            &["docketsync", "--config", "help", "help"],
        );
        check(
            &["docketsync", "status", "help", "--lang", "fr"],
            &["docketsync", "status", "help", "--lang", "fr"],
        );
        check(
            &["docketsync", "help", "--", "--lang", "de"],
            &["docketsync", "help", "--", "--lang", "de"],
        );
    }

    /// Every command (also clap's `help`) and every argument has a help in
    /// every language: a new command or flag without its catalogue text
    /// fails here (a missing text renders as its id in brackets).
    #[test]
    fn every_command_and_argument_has_a_help_in_every_language() {
        fn walk(cmd: &clap::Command, path: String, lang: Lang, seen: &mut usize) {
            *seen += 1;
            let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
            assert!(
                !about.trim().is_empty() && !about.contains('['),
                "{lang}: `{path}` has no help: {about:?}"
            );
            for a in cmd.get_arguments() {
                let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                assert!(
                    !help.trim().is_empty() && !help.starts_with('['),
                    "{lang}: `{path}` {} has no help: {help:?}",
                    a.get_id()
                );
                let shown = a.get_action().takes_values();
                for name in a.get_value_names().filter(|_| shown).unwrap_or_default() {
                    assert!(!name.starts_with('['), "{lang}: `{path}` {name}");
                }
            }
            for s in cmd.get_subcommands() {
                walk(s, format!("{path} {}", s.get_name()), lang, seen);
            }
        }
        for lang in Lang::ALL {
            let cmd = command(&crate::render::texts(lang));
            cmd.clone().debug_assert();
            let mut seen = 0;
            walk(&cmd, "docketsync".into(), lang, &mut seen);
            // The program, its 9 commands, 2 nested `set`s, the `help`s.
            assert!(seen > 12, "{seen}");
        }
    }

    /// In German no help page keeps a word of clap's English.
    #[test]
    fn german_help_pages_have_no_english_of_clap() {
        fn walk(cmd: &mut clap::Command, path: &str) {
            let help = cmd.render_help().to_string();
            for english in [
                "Usage",
                "Commands:",
                "Options:",
                "Arguments:",
                "[OPTIONS]",
                "COMMAND",
                "PATH",
                "Print",
                "[possible values",
                "[env:",
                "[default:",
                "[alias",
            ] {
                assert!(!help.contains(english), "`{path}`: {english:?} in\n{help}");
            }
            let names: Vec<String> = cmd
                .get_subcommands()
                .map(|s| s.get_name().to_string())
                .collect();
            for name in names {
                let sub = cmd.find_subcommand_mut(&name).expect("listed");
                walk(sub, &format!("{path} {name}"));
            }
        }
        walk(&mut command(&crate::render::texts(Lang::De)), "docketsync");
    }
}

//! Every word a person reads, in English and German, from one place.
//!
//! The words live in Fluent catalogues, `locales/<lang>/<area>.ftl`, one
//! file per area (auth, config, source, sync, app, doctor, tray, time …).
//! Code never carries a sentence: it carries data —
//!
//! - a [`Message`]: a catalogue id plus named arguments (`Serialize`, so a
//!   status snapshot can hold it and a UI can show it in either language);
//! - a [`Who`]: who must act (the fee-earner, IT, nobody);
//! - an [`Action`]: the fix, as something a front end can *do* or say in
//!   its own words (the CLI names its sign-in command, the tray
//!   shows a "Sign in again" button).
//!
//! [`Texts`] renders them for one [`Lang`] and one time zone: messages,
//! message attributes (a problem's `.body`), times in the reader's local
//! zone and language ("1. Dez. 2026, 19:44"), and relative spans
//! ("in 3 Tagen", "vor 5 Minuten").
//!
//! Why Fluent (`fluent-bundle`, Mozilla's reference implementation) rather
//! than hand-written tables or `rust-i18n`: translators edit plain `.ftl`
//! files, plural and case rules are the language's own (CLDR plural
//! categories: "1 Tag", "3 Tagen"), and a message can carry attributes, so
//! a problem's headline and explanation stay one unit. `rust-i18n` stores
//! YAML and has no plural selection in the message itself.
//!
//! **Invariant:** every message exists in every language with the same
//! attributes and the same variables; `tests::catalogues_agree` fails the
//! build otherwise. Front ends may bring catalogue files of their own
//! ([`Texts::with_resources`]) for words only they use (the CLI's command
//! names); the same check applies to them. The tray's words ([`TRAY`])
//! live here too, checked with the built-in ones.

mod action;
mod catalogue;
mod lang;
mod message;
mod time;

pub use action::{Action, Who};
pub use catalogue::{disagreements, CatalogueError, Resource, Texts, BUILTIN, TRAY};
pub use lang::Lang;
pub use message::{Arg, Message, TimeStyle};
pub use time::local_zone;

#[cfg(test)]
mod tests;

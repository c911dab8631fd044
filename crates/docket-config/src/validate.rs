//! The pure validation: two TOML texts in, a [`Config`] or every problem out.
//!
//! Steps, one file each: parse each file (syntax errors with line/column);
//! scan each file's structure (`structure.rs`: unknown keys with a
//! suggestion, secrets, firm-only keys in the user file); merge the user's
//! permitted keys over the firm file; read every key of the merged table
//! with its type and rules (`reader.rs`), section by section
//! (`microsoft.rs`, `source.rs`, `policy.rs`), collecting problems instead
//! of stopping at the first. Each problem is data: its key, a reason
//! [`docket_text::Message`] (`reason.rs` lists every kind) and the fix as
//! a [`docket_text::Action`].

use std::collections::BTreeSet;
use std::path::Path;

use docket_text::Action;
use toml::{Table, Value};

use crate::reason::Kind;
use crate::{Config, FileText, Location, Problem, Problems};

mod microsoft;
mod policy;
mod reader;
mod source;
mod structure;

use reader::Reader;
use structure::scan;
pub use structure::{fix_for_key, settle, user_may_set};

/// Validate the firm file and the user's overrides. `file_exists` answers
/// whether a path names an existing file (for `extra_ca_file` and an ICS
/// `source.path`); it is a parameter so that this function stays pure.
pub fn validate(
    firm: Option<FileText<'_>>,
    user: Option<FileText<'_>>,
    file_exists: &dyn Fn(&Path) -> bool,
) -> Result<Config, Problems> {
    let mut problems = vec![];
    let firm_table = firm.and_then(|f| parse(f, &mut problems));
    // A firm file that does not parse would make every required key look
    // missing: report its syntax error only.
    let firm_unreadable = firm.is_some() && firm_table.is_none();
    let user_table = user.and_then(|f| parse(f, &mut problems));

    let mut merged = Table::new();
    let mut user_keys = BTreeSet::new();
    if let (Some(f), Some(t)) = (firm, &firm_table) {
        for (section, key, value) in scan(t, f.path, false, &mut problems) {
            insert(&mut merged, section, key, value);
        }
    }
    if let (Some(f), Some(t)) = (user, &user_table) {
        for (section, key, value) in scan(t, f.path, true, &mut problems) {
            user_keys.insert((section.to_string(), key.to_string()));
            insert(&mut merged, section, key, value);
        }
    }

    let mut r = Reader {
        merged,
        user_keys,
        firm_path: firm.map(|f| f.path),
        user_path: user.map(|f| f.path),
        problems,
        file_exists,
        firm_unreadable,
    };
    let config = read_config(&mut r);
    if r.problems.is_empty() {
        Ok(config)
    } else {
        Err(Problems(r.problems))
    }
}

fn parse(file: FileText<'_>, problems: &mut Vec<Problem>) -> Option<Table> {
    match file.text.parse::<Table>() {
        Ok(t) => Some(t),
        Err(e) => {
            let line_col = e.span().map(|s| line_col(file.text, s.start));
            let detail = e.message().trim().to_string();
            let reason = match line_col {
                Some((line, column)) => Kind::Syntax
                    .message()
                    .text("line", line.to_string())
                    .text("column", column.to_string()),
                None => Kind::SyntaxUnplaced.message(),
            };
            problems.push(Problem {
                location: Some(Location {
                    file: file.path.to_path_buf(),
                    line_col,
                }),
                key: None,
                reason: reason.text("detail", detail),
                fix: Action::AskAdmin,
            });
            None
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn insert(merged: &mut Table, section: &str, key: &str, value: Value) {
    let entry = merged
        .entry(section.to_string())
        .or_insert_with(|| Value::Table(Table::new()));
    if let Value::Table(t) = entry {
        t.insert(key.to_string(), value);
    }
}

fn file_loc(file: &Path) -> Location {
    Location {
        file: file.to_path_buf(),
        line_col: None,
    }
}

fn read_config(r: &mut Reader<'_>) -> Config {
    let microsoft = microsoft::read_microsoft(r);
    let source = source::read_source(r);
    let (modules, policy, logging, storage, app) = policy::read_settings(r);
    let conventions = policy::read_conventions(r);
    Config {
        microsoft,
        source,
        modules,
        policy,
        logging,
        storage,
        conventions,
        app,
    }
}

#[cfg(test)]
mod tests;

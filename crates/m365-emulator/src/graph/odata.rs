//! OData query options and request preferences as Graph reads them:
//! `$top`, `$skip`, `$select`, `$orderby`, `$filter` (the extended-property
//! and extension `any` lambdas), `$expand`, `$skiptoken`/`$deltatoken`, and
//! the `Prefer` header. Pure parsing, table-tested.
//! <https://learn.microsoft.com/en-us/graph/query-parameters>
//! <https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-get>

use base64::Engine;
use serde::{de::DeserializeOwned, Serialize};

/// Which multi-valued navigation a lambda (`any`) or `$expand` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nav {
    ExtendedProperties,
    Extensions,
    LinkedResources,
    Other(String),
}

impl Nav {
    fn parse(s: &str) -> Nav {
        match s.to_ascii_lowercase().as_str() {
            "singlevalueextendedproperties" => Nav::ExtendedProperties,
            "extensions" => Nav::Extensions,
            "linkedresources" => Nav::LinkedResources,
            _ => Nav::Other(s.to_string()),
        }
    }
}

/// A string comparison on the `value` of an extended property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueTest {
    Eq(String),
    Ne(String),
    StartsWith(String),
    Contains(String),
}

impl ValueTest {
    /// String values compare case-insensitively, as Exchange does.
    pub fn matches(&self, value: &str) -> bool {
        let v = value.to_lowercase();
        match self {
            ValueTest::Eq(s) => v == s.to_lowercase(),
            ValueTest::Ne(s) => v != s.to_lowercase(),
            ValueTest::StartsWith(s) => v.starts_with(&s.to_lowercase()),
            ValueTest::Contains(s) => v.contains(&s.to_lowercase()),
        }
    }
}

/// `$filter=nav/any(x: x/id eq '...' [and x/value eq '...'])`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyFilter {
    pub nav: Nav,
    /// The id the lambda requires (case-sensitive match on the name part,
    /// compared exactly here).
    pub id: String,
    pub value: Option<ValueTest>,
}

/// One `$expand` item, with the ids of its nested `$filter=id eq '...'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expand {
    pub nav: Nav,
    pub ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub top: Option<usize>,
    pub skip: usize,
    pub select: Option<Vec<String>>,
    /// Property path (`start/dateTime`) and descending?
    pub orderby: Option<(String, bool)>,
    pub filter: Option<AnyFilter>,
    pub expand: Vec<Expand>,
    pub skiptoken: Option<String>,
    pub deltatoken: Option<String>,
    pub start_date_time: Option<String>,
    pub end_date_time: Option<String>,
}

impl Query {
    /// Parse a raw query string. The message of an error is Graph's.
    pub fn parse(raw: Option<&str>) -> Result<Query, String> {
        let mut q = Query::default();
        let Some(raw) = raw else { return Ok(q) };
        for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
            let key = k.to_ascii_lowercase();
            match key.trim_start_matches('$') {
                "top" => {
                    q.top = Some(
                        v.parse()
                            .map_err(|_| format!("Invalid value '{v}' for $top."))?,
                    )
                }
                "skip" => {
                    q.skip = v
                        .parse()
                        .map_err(|_| format!("Invalid value '{v}' for $skip."))?
                }
                "select" => {
                    q.select = Some(
                        v.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect(),
                    )
                }
                "orderby" => {
                    let mut parts = v.split_whitespace();
                    let field = parts.next().unwrap_or_default().to_string();
                    let desc = matches!(parts.next(), Some(d) if d.eq_ignore_ascii_case("desc"));
                    q.orderby = Some((field, desc));
                }
                "filter" => q.filter = Some(parse_filter(&v)?),
                "expand" => q.expand = parse_expand(&v)?,
                "skiptoken" => q.skiptoken = Some(v.into_owned()),
                "deltatoken" => q.deltatoken = Some(v.into_owned()),
                "startdatetime" => q.start_date_time = Some(v.into_owned()),
                "enddatetime" => q.end_date_time = Some(v.into_owned()),
                _ => {}
            }
        }
        Ok(q)
    }

    pub fn expands(&self, nav: &Nav) -> Option<&Expand> {
        self.expand.iter().find(|e| &e.nav == nav)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    Colon,
    Comma,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' | ')' | ':' | ',' => {
                chars.next();
                out.push(match c {
                    '(' => Tok::Open,
                    ')' => Tok::Close,
                    ':' => Tok::Colon,
                    _ => Tok::Comma,
                });
            }
            '\'' => {
                chars.next();
                let mut v = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            v.push('\'');
                        }
                        Some('\'') => break,
                        Some(ch) => v.push(ch),
                        None => return Err("Unterminated string literal.".into()),
                    }
                }
                out.push(Tok::Str(v));
            }
            _ => {
                let mut w = String::new();
                while let Some(&ch) = chars.peek() {
                    if matches!(ch, ' ' | '\t' | '(' | ')' | ':' | ',' | '\'') {
                        break;
                    }
                    w.push(ch);
                    chars.next();
                }
                out.push(Tok::Word(w));
            }
        }
    }
    Ok(out)
}

fn invalid(s: &str) -> String {
    format!("Invalid filter clause: the emulator supports only 'singleValueExtendedProperties/any(...)' and 'extensions/any(...)' lambdas, got '{s}'.")
}

/// `nav/any(v: v/id eq 'x' and v/value eq 'y')`, also `startswith(v/value,'y')`.
fn parse_filter(s: &str) -> Result<AnyFilter, String> {
    let toks = tokenize(s)?;
    let mut it = toks.into_iter();
    let head = match it.next() {
        Some(Tok::Word(w)) => w,
        _ => return Err(invalid(s)),
    };
    let (nav, func) = head.split_once('/').ok_or_else(|| invalid(s))?;
    if !func.eq_ignore_ascii_case("any") || it.next() != Some(Tok::Open) {
        return Err(invalid(s));
    }
    let var = match it.next() {
        Some(Tok::Word(w)) => w,
        _ => return Err(invalid(s)),
    };
    if it.next() != Some(Tok::Colon) {
        return Err(invalid(s));
    }
    let rest: Vec<Tok> = it.collect();
    if rest.last() != Some(&Tok::Close) {
        return Err(invalid(s));
    }
    let body = &rest[..rest.len() - 1];
    let mut id = None;
    let mut value = None;
    for clause in body.split(|t| matches!(t, Tok::Word(w) if w.eq_ignore_ascii_case("and"))) {
        let prop = |w: &str| {
            w.split_once('/')
                .filter(|(v, _)| *v == var)
                .map(|(_, p)| p.to_ascii_lowercase())
        };
        match clause {
            [Tok::Word(path), Tok::Word(op), Tok::Str(lit)] => {
                match (prop(path).as_deref(), op.to_ascii_lowercase().as_str()) {
                    (Some("id"), "eq") => id = Some(lit.clone()),
                    (Some("value"), "eq") => value = Some(ValueTest::Eq(lit.clone())),
                    (Some("value"), "ne") => value = Some(ValueTest::Ne(lit.clone())),
                    _ => return Err(invalid(s)),
                }
            }
            [Tok::Word(f), Tok::Open, Tok::Word(path), Tok::Comma, Tok::Str(lit), Tok::Close]
                if prop(path).as_deref() == Some("value") =>
            {
                value = Some(match f.to_ascii_lowercase().as_str() {
                    "startswith" => ValueTest::StartsWith(lit.clone()),
                    "contains" => ValueTest::Contains(lit.clone()),
                    _ => return Err(invalid(s)),
                })
            }
            _ => return Err(invalid(s)),
        }
    }
    let id = id.ok_or_else(|| invalid(s))?;
    Ok(AnyFilter {
        nav: Nav::parse(nav),
        id,
        value,
    })
}

/// `a,b($filter=id eq 'x' or id eq 'y')`.
fn parse_expand(s: &str) -> Result<Vec<Expand>, String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    let mut items = Vec::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    items.push(cur);
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        let (name, opts) = match item.split_once('(') {
            Some((n, o)) => (n.trim(), Some(o.trim_end_matches(')'))),
            None => (item, None),
        };
        let ids = match opts {
            None => None,
            Some(o) => {
                let f = o
                    .trim()
                    .strip_prefix("$filter=")
                    .ok_or_else(|| format!("Unsupported $expand option in '{item}'."))?;
                let toks = tokenize(f)?;
                let mut ids = Vec::new();
                for clause in
                    toks.split(|t| matches!(t, Tok::Word(w) if w.eq_ignore_ascii_case("or")))
                {
                    match clause {
                        [Tok::Word(p), Tok::Word(op), Tok::Str(lit)]
                            if p.eq_ignore_ascii_case("id") && op.eq_ignore_ascii_case("eq") =>
                        {
                            ids.push(lit.clone())
                        }
                        _ => return Err(format!("Invalid $expand filter '{f}'.")),
                    }
                }
                Some(ids)
            }
        };
        out.push(Expand {
            nav: Nav::parse(name),
            ids,
        });
    }
    Ok(out)
}

/// What a client asked for in its `Prefer` headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefer {
    pub timezone: Option<String>,
    pub maxpagesize: Option<usize>,
    pub immutable_id: bool,
    /// `return=minimal` on PATCH: 204 instead of the item.
    pub return_minimal: bool,
}

impl Prefer {
    /// Parse every `Prefer` header value (comma-separated preferences,
    /// quoted values may contain commas and spaces).
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Prefer {
        let mut p = Prefer::default();
        for value in values {
            for pref in split_unquoted(value, ',') {
                let (k, v) = match pref.split_once('=') {
                    Some((k, v)) => (k.trim(), v.trim().trim_matches('"')),
                    None => (pref.trim(), ""),
                };
                match k.to_ascii_lowercase().as_str() {
                    "outlook.timezone" => p.timezone = Some(v.to_string()),
                    "odata.maxpagesize" => p.maxpagesize = v.parse().ok().filter(|n| *n > 0),
                    "idtype" => p.immutable_id = v.eq_ignore_ascii_case("ImmutableId"),
                    "return" => p.return_minimal = v.eq_ignore_ascii_case("minimal"),
                    _ => {}
                }
            }
        }
        p
    }
}

fn split_unquoted(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c == sep && !quoted {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Opaque state tokens (`$skiptoken`, `$deltatoken`): base64url JSON.
pub fn encode_token<T: Serialize>(t: &T) -> String {
    let json = serde_json::to_vec(t).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

pub fn decode_token<T: DeserializeOwned>(s: &str) -> Option<T> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim())
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(raw: &str, expect: Result<Query, &str>) {
        let got = Query::parse(Some(raw));
        match expect {
            Ok(q) => assert_eq!(got, Ok(q), "{raw}"),
            Err(prefix) => {
                let e = got.expect_err(raw);
                assert!(e.starts_with(prefix), "{raw}: {e}");
            }
        }
    }

    const ID: &str = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name DocketSyncId";

    #[test]
    fn parses_the_documented_query_options() {
        check(
            "$top=5&$skip=10&$select=subject,start&$orderby=start/dateTime desc",
            Ok(Query {
                top: Some(5),
                skip: 10,
                select: Some(vec!["subject".into(), "start".into()]),
                orderby: Some(("start/dateTime".into(), true)),
                ..Query::default()
            }),
        );
        check(
            &format!(
                "$filter={}",
                url::form_urlencoded::byte_serialize(
                    format!("singleValueExtendedProperties/Any(ep: ep/id eq '{ID}' and ep/value eq 'firm/1''2')")
                        .as_bytes()
                )
                .collect::<String>()
            ),
            Ok(Query {
                filter: Some(AnyFilter {
                    nav: Nav::ExtendedProperties,
                    id: ID.into(),
                    value: Some(ValueTest::Eq("firm/1'2".into())),
                }),
                ..Query::default()
            }),
        );
        check(
            &format!("$filter=singleValueExtendedProperties/any(x:startswith(x/value,'firm/') and x/id eq '{ID}')"),
            Ok(Query {
                filter: Some(AnyFilter {
                    nav: Nav::ExtendedProperties,
                    id: ID.into(),
                    value: Some(ValueTest::StartsWith("firm/".into())),
                }),
                ..Query::default()
            }),
        );
        check(
            &format!("$expand=singleValueExtendedProperties($filter=id eq '{ID}'),extensions"),
            Ok(Query {
                expand: vec![
                    Expand {
                        nav: Nav::ExtendedProperties,
                        ids: Some(vec![ID.into()]),
                    },
                    Expand {
                        nav: Nav::Extensions,
                        ids: None,
                    },
                ],
                ..Query::default()
            }),
        );
        check(
            "startDateTime=2024-06-01T00:00:00Z&EndDateTime=2024-07-01T00:00:00Z",
            Ok(Query {
                start_date_time: Some("2024-06-01T00:00:00Z".into()),
                end_date_time: Some("2024-07-01T00:00:00Z".into()),
                ..Query::default()
            }),
        );
        check("$top=ten", Err("Invalid value 'ten' for $top"));
        check("$filter=subject eq 'x'", Err("Invalid filter clause"));
        check(
            "$filter=singleValueExtendedProperties/any(ep: ep/value eq 'x')",
            Err("Invalid filter clause"),
        );
    }

    #[test]
    fn value_comparison_ignores_case() {
        assert!(ValueTest::Eq("Firm/1".into()).matches("firm/1"));
        assert!(!ValueTest::Ne("Firm/1".into()).matches("FIRM/1"));
    }

    #[test]
    fn prefer_headers() {
        let p = Prefer::parse([
            "outlook.timezone=\"W. Europe Standard Time\", odata.maxpagesize=2",
            "IdType=\"ImmutableId\"",
        ]);
        assert_eq!(
            p,
            Prefer {
                timezone: Some("W. Europe Standard Time".into()),
                maxpagesize: Some(2),
                immutable_id: true,
                return_minimal: false,
            }
        );
        assert_eq!(Prefer::parse(["odata.maxpagesize=0"]).maxpagesize, None);
    }

    #[test]
    fn tokens_round_trip_and_garbage_is_rejected() {
        let t = encode_token(&(3u64, "x"));
        assert_eq!(decode_token::<(u64, String)>(&t), Some((3, "x".into())));
        assert_eq!(decode_token::<(u64, String)>("not-a-token!"), None);
    }
}

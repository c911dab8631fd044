//! vCard (3.0, RFC 2426; 4.0, RFC 6350) to [`Contact`]s. Parsing is
//! `calcard`'s; this module maps the parsed properties to the model.

use calcard::vcard::{
    VCard, VCardEntry, VCardParameterName, VCardParameterValue, VCardProperty, VCardType,
    VCardValue,
};

use crate::ical::{checked_text, utc_timestamp, Skip};
use crate::model::{Contact, Email, Phone, PhoneKind, PostalAddress, ProblemKind, Usage};
use crate::options::ReadOptions;

/// One value as text; structured sub-values are joined with spaces.
fn value_text(value: &VCardValue) -> Option<String> {
    match value {
        VCardValue::Text(t) => Some(t.trim().to_owned()),
        VCardValue::Component(parts) => Some(parts.join(" ").trim().to_owned()),
        _ => None,
    }
    .filter(|t| !t.is_empty())
}

fn first(card: &VCard, prop: &VCardProperty) -> Option<String> {
    value_text(card.property(prop)?.values.first()?)
}

/// The `index`th component of a structured value (N, ORG, ADR).
fn part(entry: &VCardEntry, index: usize) -> Option<String> {
    entry.values.get(index).and_then(value_text)
}

fn types(entry: &VCardEntry) -> impl Iterator<Item = &VCardType> {
    entry
        .parameters(&VCardParameterName::Type)
        .filter_map(|v| match v {
            VCardParameterValue::Type(t) => Some(t),
            _ => None,
        })
}

fn usage(entry: &VCardEntry) -> Usage {
    let (mut work, mut home) = (false, false);
    for t in types(entry) {
        work |= *t == VCardType::Work;
        home |= *t == VCardType::Home;
    }
    match (work, home) {
        (true, false) => Usage::Work,
        (false, true) => Usage::Home,
        _ => Usage::Other,
    }
}

fn other_text(card: &VCard, name: &str) -> Option<String> {
    card.entries.iter().find_map(|e| match &e.name {
        VCardProperty::Other(n) if n.eq_ignore_ascii_case(name) => value_text(e.values.first()?),
        _ => None,
    })
}

/// A parsed vCard as a [`Contact`].
pub(crate) fn contact(card: &VCard, options: &ReadOptions) -> Result<Contact, Skip> {
    let uid = first(card, &VCardProperty::Uid)
        .ok_or_else(|| Skip::plain(ProblemKind::MissingUid, "source-missing-uid"))?;

    let n = card.property(&VCardProperty::N);
    let n_part = |i| n.and_then(|n| part(n, i));
    let (family_name, given_name, middle_name, title, suffix) =
        (n_part(0), n_part(1), n_part(2), n_part(3), n_part(4));
    let display_name = first(card, &VCardProperty::Fn)
        .or_else(|| {
            let parts = [&title, &given_name, &middle_name, &family_name, &suffix];
            let joined: Vec<&str> = parts.iter().filter_map(|p| p.as_deref()).collect();
            (!joined.is_empty()).then(|| joined.join(" "))
        })
        .ok_or_else(|| Skip::plain(ProblemKind::MissingProperty, "source-no-name"))?;

    let org = card.property(&VCardProperty::Org);
    let emails = card
        .properties(&VCardProperty::Email)
        .filter_map(|e| {
            Some(Email {
                address: value_text(e.values.first()?)?,
                usage: usage(e),
            })
        })
        .collect();
    let phones = card
        .properties(&VCardProperty::Tel)
        .filter_map(|e| {
            let raw = value_text(e.values.first()?)?;
            let number = raw
                .strip_prefix("tel:")
                .or_else(|| raw.strip_prefix("TEL:"))
                .unwrap_or(&raw)
                .to_owned();
            let kind = if types(e).any(|t| *t == VCardType::Cell) {
                PhoneKind::Mobile
            } else if types(e).any(|t| *t == VCardType::Fax) {
                PhoneKind::Fax
            } else {
                PhoneKind::Voice
            };
            Some(Phone {
                number,
                kind,
                usage: usage(e),
            })
        })
        .collect();
    let addresses = card
        .properties(&VCardProperty::Adr)
        .map(|e| {
            let get = |i| part(e, i).unwrap_or_default();
            let street = match (part(e, 2), part(e, 1)) {
                (Some(street), Some(extended)) => format!("{street}\n{extended}"),
                (street, extended) => street.or(extended).unwrap_or_default(),
            };
            PostalAddress {
                usage: usage(e),
                street,
                city: get(3),
                region: get(4),
                postal_code: get(5),
                country: get(6),
            }
        })
        .filter(|a| {
            !(a.street.is_empty()
                && a.city.is_empty()
                && a.postal_code.is_empty()
                && a.country.is_empty())
        })
        .collect();
    let mut categories: Vec<String> = Vec::new();
    for entry in card.properties(&VCardProperty::Categories) {
        for value in entry.values.iter().filter_map(value_text) {
            if !categories.contains(&value) {
                categories.push(value);
            }
        }
    }
    let subscribed = options.subscription.decide(
        other_text(card, &options.subscription.x_property).as_deref(),
        &categories,
    );
    let last_modified = card
        .property(&VCardProperty::Rev)
        .and_then(|e| e.values.first())
        .and_then(|v| v.as_partial_date_time())
        .and_then(utc_timestamp);

    Ok(Contact {
        uid,
        display_name,
        given_name,
        family_name,
        middle_name,
        title,
        suffix,
        company: org.and_then(|o| part(o, 0)),
        department: org.and_then(|o| part(o, 1)),
        job_title: first(card, &VCardProperty::Title),
        emails,
        phones,
        addresses,
        notes: checked_text("note", first(card, &VCardProperty::Note), options)?,
        categories,
        subscribed,
        last_modified,
        source: String::new(),
    })
}

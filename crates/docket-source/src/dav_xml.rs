//! The XML of WebDAV (RFC 4918), CalDAV (RFC 4791), CardDAV (RFC 6352) and
//! collection sync (RFC 6578): request bodies, and the `multistatus`
//! answer read with `roxmltree` (namespace-aware; DTDs refused, so no
//! entity expansion).

use roxmltree::{Document, Node};

pub(crate) const DAV: &str = "DAV:";
pub(crate) const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub(crate) const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";

/// Which kind of DAV collection, and so which REPORT and data element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionKind {
    /// A CalDAV calendar (VEVENT and/or VTODO).
    Calendar,
    /// A CardDAV address book.
    AddressBook,
}

impl CollectionKind {
    /// The namespace and name of the data property and of the collection's
    /// resource type.
    fn data_element(self) -> (&'static str, &'static str) {
        match self {
            CollectionKind::Calendar => (CALDAV, "calendar-data"),
            CollectionKind::AddressBook => (CARDDAV, "address-data"),
        }
    }

    pub(crate) fn resource_type(self) -> (&'static str, &'static str) {
        match self {
            CollectionKind::Calendar => (CALDAV, "calendar"),
            CollectionKind::AddressBook => (CARDDAV, "addressbook"),
        }
    }
}

/// XML text escaping for hrefs and sync tokens in request bodies.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// PROPFIND (Depth: 1) for the members' ETags, resource types and the
/// collection's sync token.
pub(crate) fn propfind_body() -> String {
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
     <D:propfind xmlns:D=\"DAV:\"><D:prop>\
     <D:resourcetype/><D:getetag/><D:sync-token/>\
     </D:prop></D:propfind>"
        .to_owned()
}

/// REPORT sync-collection (RFC 6578 §3.2) from `token` (`None`: initial).
pub(crate) fn sync_collection_body(token: Option<&str>) -> String {
    let token = match token {
        Some(t) => format!("<D:sync-token>{}</D:sync-token>", escape(t)),
        None => "<D:sync-token/>".to_owned(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <D:sync-collection xmlns:D=\"DAV:\">{token}<D:sync-level>1</D:sync-level>\
         <D:prop><D:getetag/></D:prop></D:sync-collection>"
    )
}

/// REPORT calendar-multiget (RFC 4791 §7.9) or addressbook-multiget
/// (RFC 6352 §8.7) for `hrefs`.
pub(crate) fn multiget_body(kind: CollectionKind, hrefs: &[&str]) -> String {
    let (ns, report, data) = match kind {
        CollectionKind::Calendar => (CALDAV, "calendar-multiget", "calendar-data"),
        CollectionKind::AddressBook => (CARDDAV, "addressbook-multiget", "address-data"),
    };
    let mut body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <X:{report} xmlns:D=\"DAV:\" xmlns:X=\"{ns}\">\
         <D:prop><D:getetag/><X:{data}/></D:prop>"
    );
    for href in hrefs {
        body.push_str("<D:href>");
        body.push_str(&escape(href));
        body.push_str("</D:href>");
    }
    body.push_str(&format!("</X:{report}>"));
    body
}

/// One `DAV:response` of a multistatus, with the properties whose
/// `propstat` said 200.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DavResponse {
    pub href: String,
    /// The response's own status (a removed member: 404), if it has one.
    pub status: Option<u16>,
    pub etag: Option<String>,
    /// `calendar-data` or `address-data`.
    pub data: Option<String>,
    /// The `resourcetype` children as (namespace, name), when asked for.
    pub resource_types: Vec<(String, String)>,
    /// The `sync-token` property (PROPFIND on the collection).
    pub sync_token: Option<String>,
}

impl DavResponse {
    pub fn is_collection(&self) -> bool {
        self.has_type(DAV, "collection")
    }

    pub fn has_type(&self, ns: &str, name: &str) -> bool {
        self.resource_types
            .iter()
            .any(|(n, t)| n == ns && t == name)
    }
}

/// A parsed `DAV:multistatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Multistatus {
    pub responses: Vec<DavResponse>,
    /// The top-level `sync-token` of a sync-collection answer.
    pub sync_token: Option<String>,
}

/// Why a body is not the multistatus we asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("the answer is not valid XML ({0})")]
    Syntax(String),
    #[error("the answer is not a WebDAV multistatus (it starts with <{0}>)")]
    NotMultistatus(String),
}

fn is(node: Node<'_, '_>, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(ns)
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, ns, name))
}

fn children<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| is(*c, ns, name))
}

/// All the text inside `node` (CDATA included), as the server sent it.
fn text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// `HTTP/1.1 404 Not Found` → 404.
fn status_code(node: Option<Node<'_, '_>>) -> Option<u16> {
    text(node?).split_whitespace().nth(1)?.parse().ok()
}

/// Parses a multistatus; `kind` names the data element to read.
pub fn parse_multistatus(body: &str, kind: CollectionKind) -> Result<Multistatus, XmlError> {
    let doc = Document::parse(body).map_err(|e| XmlError::Syntax(e.to_string()))?;
    let root = doc.root_element();
    if !is(root, DAV, "multistatus") {
        return Err(XmlError::NotMultistatus(root.tag_name().name().to_owned()));
    }
    let (data_ns, data_name) = kind.data_element();
    let mut out = Multistatus {
        sync_token: child(root, DAV, "sync-token").map(|n| text(n).trim().to_owned()),
        ..Multistatus::default()
    };
    for response in children(root, DAV, "response") {
        let Some(href) = child(response, DAV, "href") else {
            continue;
        };
        let mut r = DavResponse {
            href: text(href).trim().to_owned(),
            status: status_code(child(response, DAV, "status")),
            ..DavResponse::default()
        };
        for propstat in children(response, DAV, "propstat") {
            if status_code(child(propstat, DAV, "status")) != Some(200) {
                continue;
            }
            let Some(prop) = child(propstat, DAV, "prop") else {
                continue;
            };
            if let Some(etag) = child(prop, DAV, "getetag") {
                r.etag = Some(text(etag).trim().to_owned());
            }
            if let Some(data) = child(prop, data_ns, data_name) {
                r.data = Some(text(data));
            }
            if let Some(token) = child(prop, DAV, "sync-token") {
                r.sync_token = Some(text(token).trim().to_owned()).filter(|t| !t.is_empty());
            }
            if let Some(types) = child(prop, DAV, "resourcetype") {
                r.resource_types = types
                    .children()
                    .filter(|c| c.is_element())
                    .map(|c| {
                        let t = c.tag_name();
                        (t.namespace().unwrap_or("").to_owned(), t.name().to_owned())
                    })
                    .collect();
            }
        }
        out.responses.push(r);
    }
    Ok(out)
}

/// The precondition named in a `DAV:error` body (RFC 4918 §16), e.g.
/// `valid-sync-token`.
pub fn precondition(body: &str) -> Option<String> {
    let doc = Document::parse(body).ok()?;
    let root = doc.root_element();
    if !is(root, DAV, "error") {
        return None;
    }
    root.children()
        .find(|c| c.is_element())
        .map(|c| c.tag_name().name().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_sync_collection_answer_with_changed_and_removed_members() {
        let body = r#"<?xml version='1.0' encoding='utf-8'?>
<multistatus xmlns="DAV:"><sync-token>http://radicale.org/ns/sync/322b</sync-token>
<response><href>/anna/cal/e1.ics</href><propstat><prop><getetag>"4766"</getetag></prop>
<status>HTTP/1.1 200 OK</status></propstat></response>
<response><href>/anna/cal/gone.ics</href><status>HTTP/1.1 404 Not Found</status></response>
</multistatus>"#;
        let m = parse_multistatus(body, CollectionKind::Calendar).unwrap();
        assert_eq!(
            m.sync_token.as_deref(),
            Some("http://radicale.org/ns/sync/322b")
        );
        assert_eq!(m.responses.len(), 2);
        assert_eq!(m.responses[0].href, "/anna/cal/e1.ics");
        assert_eq!(m.responses[0].etag.as_deref(), Some("\"4766\""));
        assert_eq!(m.responses[0].status, None);
        assert_eq!(m.responses[1].status, Some(404));
        assert_eq!(m.responses[1].etag, None);
    }

    #[test]
    fn reads_multiget_data_under_any_prefix_and_skips_failed_propstats() {
        // Prefixes are the server's choice; only the namespaces count.
        let body = "<d:multistatus xmlns:d=\"DAV:\" xmlns:card=\"urn:ietf:params:xml:ns:carddav\">\
            <d:response><d:href>/ab/c%201.vcf</d:href>\
            <d:propstat><d:prop><d:getetag>\"e\"</d:getetag>\
            <card:address-data><![CDATA[BEGIN:VCARD\r\nFN:A & B\r\nEND:VCARD\r\n]]></card:address-data></d:prop>\
            <d:status>HTTP/1.1 200 OK</d:status></d:propstat>\
            <d:propstat><d:prop><d:sync-token/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>\
            </d:response></d:multistatus>";
        let m = parse_multistatus(body, CollectionKind::AddressBook).unwrap();
        let r = &m.responses[0];
        assert_eq!(r.href, "/ab/c%201.vcf");
        // XML turns CRLF into LF (XML 1.0 §2.11); the record reader takes both.
        assert_eq!(
            r.data.as_deref(),
            Some("BEGIN:VCARD\nFN:A & B\nEND:VCARD\n")
        );
        assert_eq!(r.sync_token, None);
        // calendar-data is not address-data: a calendar read finds no data.
        let m = parse_multistatus(body, CollectionKind::Calendar).unwrap();
        assert_eq!(m.responses[0].data, None);
    }

    #[test]
    fn reads_resource_types_and_the_collection_sync_token() {
        let body = r#"<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<response><href>/anna/cal/</href><propstat><prop><getetag>"c"</getetag>
<resourcetype><C:calendar /><collection /></resourcetype><sync-token>tok-1</sync-token></prop>
<status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"#;
        let m = parse_multistatus(body, CollectionKind::Calendar).unwrap();
        let r = &m.responses[0];
        assert!(r.is_collection());
        assert!(r.has_type(CALDAV, "calendar"));
        assert!(!r.has_type(CARDDAV, "addressbook"));
        assert_eq!(r.sync_token.as_deref(), Some("tok-1"));
    }

    #[test]
    fn refuses_what_is_not_a_multistatus() {
        assert!(matches!(
            parse_multistatus("<html><body>Sign in</body></html>", CollectionKind::Calendar),
            Err(XmlError::NotMultistatus(name)) if name == "html"
        ));
        assert!(matches!(
            parse_multistatus("<multistatus xmlns=\"DAV:\">", CollectionKind::Calendar),
            Err(XmlError::Syntax(_))
        ));
        // An entity bomb is refused, not expanded.
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]>\
                    <multistatus xmlns=\"DAV:\">&a;</multistatus>";
        assert!(parse_multistatus(bomb, CollectionKind::Calendar).is_err());
    }

    #[test]
    fn names_the_failed_precondition() {
        let body = "<?xml version='1.0' encoding='utf-8'?>\n<error xmlns=\"DAV:\"><valid-sync-token /></error>";
        assert_eq!(precondition(body).as_deref(), Some("valid-sync-token"));
        assert_eq!(precondition("<x/>"), None);
    }

    #[test]
    fn request_bodies_escape_hrefs_and_tokens() {
        let body = multiget_body(CollectionKind::Calendar, &["/a/x&y<1>.ics"]);
        assert!(
            body.contains("<D:href>/a/x&amp;y&lt;1&gt;.ics</D:href>"),
            "{body}"
        );
        assert!(body.contains("calendar-multiget"), "{body}");
        // What we send must itself be well-formed XML.
        Document::parse(&body).unwrap();
        Document::parse(&sync_collection_body(Some("t\"&"))).unwrap();
        Document::parse(&multiget_body(CollectionKind::AddressBook, &["/b/1.vcf"])).unwrap();
        Document::parse(&propfind_body()).unwrap();
    }
}

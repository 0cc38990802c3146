//! Writing XML response documents.
//!
//! Response shapes implement [`ToXml`], which writes a shape's members as child elements; the
//! service decides the root element. Absent members are omitted, as AWS omits them.

use crate::time::Timestamp;

/// Escapes text for use in element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all (controls, the noncharacters U+FFFE and
            // U+FFFF) are dropped rather than emitted invalidly: no parser would read the answer.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

/// An append-only XML document.
#[derive(Debug, Default)]
pub struct XmlWriter {
    buf: String,
}

impl XmlWriter {
    pub fn new() -> Self {
        Self { buf: String::with_capacity(512) }
    }

    /// Starts a document with the XML declaration.
    pub fn document() -> Self {
        let mut w = Self::new();
        w.buf.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        w
    }

    pub fn open(&mut self, name: &str) {
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push('>');
    }

    pub fn open_with_xmlns(&mut self, name: &str, xmlns: &str) {
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push_str(" xmlns=\"");
        escape_into(&mut self.buf, xmlns);
        self.buf.push_str("\">");
    }

    pub fn close(&mut self, name: &str) {
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
    }

    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.buf, text);
    }

    /// `<name>value</name>`.
    pub fn leaf(&mut self, name: &str, value: &str) {
        self.open(name);
        self.text(value);
        self.close(name);
    }

    /// A scalar member; nothing when absent.
    pub fn scalar<T: XmlScalar>(&mut self, name: &str, value: &Option<T>) {
        if let Some(v) = value {
            self.open(name);
            v.write_text(self);
            self.close(name);
        }
    }

    /// A scalar member that is always present.
    pub fn value<T: XmlScalar>(&mut self, name: &str, value: &T) {
        self.open(name);
        value.write_text(self);
        self.close(name);
    }

    /// A structure member; nothing when absent.
    pub fn structure<T: ToXml>(&mut self, name: &str, value: &Option<T>) {
        if let Some(v) = value {
            self.open(name);
            v.write_xml(self);
            self.close(name);
        }
    }

    /// A wrapped list (`<name><item>…</item></name>`); nothing when empty unless `always`.
    pub fn list<T: XmlListItem>(&mut self, name: &str, item: &str, values: &[T], always: bool) {
        if values.is_empty() && !always {
            return;
        }
        self.open(name);
        for v in values {
            self.open(item);
            v.write_item(self);
            self.close(item);
        }
        self.close(name);
    }

    /// A wrapped string map (`<name><entry><key>…</key><value>…</value></entry></name>`, the
    /// entry's element names given); nothing when empty.
    pub fn map(&mut self, name: &str, key: &str, value: &str, entries: &[(String, String)]) {
        if entries.is_empty() {
            return;
        }
        self.open(name);
        for (k, v) in entries {
            self.open("entry");
            self.leaf(key, k);
            self.leaf(value, v);
            self.close("entry");
        }
        self.close(name);
    }

    /// A flattened list: one `<name>` element per value, no wrapper.
    pub fn flat_list<T: XmlListItem>(&mut self, name: &str, values: &[T]) {
        for v in values {
            self.open(name);
            v.write_item(self);
            self.close(name);
        }
    }

    pub fn finish(self) -> String {
        self.buf
    }
}

/// A shape that writes its members as child elements.
pub trait ToXml {
    fn write_xml(&self, w: &mut XmlWriter);
}

/// A value written as element text.
pub trait XmlScalar {
    fn write_text(&self, w: &mut XmlWriter);
}

impl XmlScalar for String {
    fn write_text(&self, w: &mut XmlWriter) {
        w.text(self);
    }
}

impl XmlScalar for bool {
    fn write_text(&self, w: &mut XmlWriter) {
        w.text(if *self { "true" } else { "false" });
    }
}

macro_rules! display_scalar {
    ($($t:ty),*) => {$(
        impl XmlScalar for $t {
            fn write_text(&self, w: &mut XmlWriter) {
                w.text(&self.to_string());
            }
        }
    )*};
}
display_scalar!(i32, i64, f64);

impl XmlScalar for Timestamp {
    fn write_text(&self, w: &mut XmlWriter) {
        w.text(&self.to_iso8601());
    }
}

/// An element of a list: a scalar's text or a structure's members.
pub trait XmlListItem {
    fn write_item(&self, w: &mut XmlWriter);
}

impl<T: ToXml> XmlListItem for T {
    fn write_item(&self, w: &mut XmlWriter) {
        self.write_xml(w);
    }
}

macro_rules! scalar_items {
    ($($t:ty),*) => {$(
        impl XmlListItem for $t {
            fn write_item(&self, w: &mut XmlWriter) {
                self.write_text(w);
            }
        }
    )*};
}
scalar_items!(String, bool, i32, i64, f64, Timestamp);

impl<T: ToXml> ToXml for Box<T> {
    fn write_xml(&self, w: &mut XmlWriter) {
        (**self).write_xml(w);
    }
}

/// The body of operations that have no output shape: EC2 answers `<return>true</return>`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReturnTrue;

impl ToXml for ReturnTrue {
    fn write_xml(&self, w: &mut XmlWriter) {
        w.leaf("return", "true");
    }
}

impl ToXml for () {
    fn write_xml(&self, _w: &mut XmlWriter) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Tag {
        key: Option<String>,
    }
    impl ToXml for Tag {
        fn write_xml(&self, w: &mut XmlWriter) {
            w.scalar("key", &self.key);
        }
    }

    #[test]
    fn writes_lists_and_escapes() {
        let mut w = XmlWriter::new();
        w.list("tagSet", "item", &[Tag { key: Some("a<b".into()) }, Tag { key: None }], false);
        w.list::<Tag>("empty", "item", &[], false);
        w.list::<Tag>("always", "item", &[], true);
        assert_eq!(
            w.finish(),
            "<tagSet><item><key>a&lt;b</key></item><item></item></tagSet><always></always>"
        );
    }

    #[test]
    fn drops_characters_xml_cannot_carry() {
        assert_eq!(escape("a\u{1}b\tc"), "ab\tc");
        // Found by the ec2_query fuzz target: an id echoed in an error message.
        assert_eq!(escape("vpc-\u{fffe}\u{ffff}\u{fffd}"), "vpc-\u{fffd}");
    }
}

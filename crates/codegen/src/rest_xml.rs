//! restXml (Route 53): structures read from labels, query, headers and an XML body, and
//! answers written as XML with headers.

use super::*;

impl<'a> Generator<'a> {
    /// `check_len`/`check_range` around `read` when the shape has limits.
    pub(super) fn constrained(&self, read: String, target: &str, name: &str) -> Result<String> {
        let shape = self.shape(target)?;
        let bound = |k: &str| match shape.get(k).and_then(Value::as_i64) {
            Some(n) => format!("Some({n})"),
            None => "None".to_owned(),
        };
        let (min, max) = (bound("min"), bound("max"));
        if min == "None" && max == "None" {
            return Ok(read);
        }
        Ok(match self.kind(target)? {
            "string" => format!("check_len({read}, {name:?}, {min}, {max})?"),
            "integer" | "long" => format!("check_range({read}, {name:?}, {min}, {max})?"),
            _ => read,
        })
    }

    /// An expression of type `impl Fn(&Element) -> Result<T, ApiError>` reading one list item.
    pub(super) fn xml_element_reader(&self, shape: &str) -> Result<String> {
        Ok(match self.kind(shape)? {
            "structure" => format!("{}::from_xml", type_name(shape)),
            "list" => bail!("lists of lists are not supported in restXml input ({shape})"),
            _ if self.shape(shape)?.contains_key("enum") => {
                format!("|e: &Element| e.enum_value({})", const_name(shape))
            }
            _ => format!("Element::value::<{}>", self.rust_type(shape)?),
        })
    }

    /// A restXml structure: [`FromRest`] at the top of an input, [`FromXml`] below it,
    /// [`ToXml`] (and [`RestOutput`] at the top) for outputs.
    pub(super) fn write_rest_struct(
        &self,
        out: &mut String,
        name: &str,
        reach: &Reach,
    ) -> Result<()> {
        let ty = type_name(name);
        let fields = self.fields(name)?;
        write_struct_def(out, &ty, &fields)?;
        if reach.input.contains(name) {
            self.write_rest_input(out, name, &ty, &fields, reach)?;
        }
        if reach.output.contains(name) {
            let headers = self.write_rest_to_xml(out, name, &ty, &fields, reach)?;
            if reach.top_level_outputs.contains(name) {
                write_rest_output(out, &ty, &headers)?;
            }
        }
        Ok(())
    }

    /// An input structure's reader: [`FromRest`] (labels, query string, headers and the body
    /// under its root element) at the top of an input, [`FromXml`] below it.
    fn write_rest_input(
        &self,
        out: &mut String,
        name: &str,
        ty: &str,
        fields: &[Field<'a>],
        reach: &Reach,
    ) -> Result<()> {
        let top = reach.top_level_inputs.get(name);
        let body: Vec<&str> =
            fields.iter().filter(|f| location(f.1).is_none()).map(|f| loc_name(f.0, f.1)).collect();
        let known = body.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
        if let Some(root) = top {
            writeln!(out, "impl FromRest for {ty} {{")?;
            writeln!(out, "    fn from_rest(input: &RestInput<'_>) -> Result<Self, ApiError> {{")?;
            if !body.is_empty() {
                writeln!(out, "        let el = input.body({root:?})?;")?;
            }
        } else {
            writeln!(out, "impl FromXml for {ty} {{")?;
            writeln!(out, "    fn from_xml(el: &Element) -> Result<Self, ApiError> {{")?;
        }
        if top.is_none() || !body.is_empty() {
            writeln!(out, "        el.expect_children(&[{known}])?;")?;
        }
        writeln!(out, "        Ok(Self {{")?;
        for f in fields {
            let expr = self.rest_input_member(name, f)?;
            writeln!(out, "            {}: {expr},", f.3)?;
        }
        writeln!(out, "        }})")?;
        writeln!(out, "    }}")?;
        writeln!(out, "}}\n")?;
        Ok(())
    }

    /// The expression reading one member of an input structure: from its location (a URI
    /// label, the query string, a header) or from the XML element `el`.
    fn rest_input_member(&self, name: &str, f: &Field<'a>) -> Result<String> {
        let (mname, m, target, _, _, _, is_required, boxed) = f;
        let el = loc_name(mname, m);
        let is_enum = self.shape(target)?.contains_key("enum");
        Ok(match (location(m), self.kind(target)?) {
            (Some(loc), kind) => {
                let source = match loc {
                    "uri" => "label",
                    "querystring" => "query",
                    "header" => "header",
                    other => bail!("{name}.{mname}: location {other} is not supported"),
                };
                if matches!(kind, "list" | "structure") {
                    bail!("{name}.{mname}: {kind} in {loc} is not supported");
                }
                let read = if is_enum && source != "header" {
                    format!("input.{source}_enum({el:?}, {})?", const_name(target))
                } else {
                    format!("input.{source}::<{}>({el:?})?", self.rust_type(target)?)
                };
                let read = self.constrained(read, target, el)?;
                if *is_required { format!("required_param({read}, {el:?})?") } else { read }
            }
            (None, "list") => {
                let lm = self.list_member(target)?;
                let item = lm.get("locationName").and_then(Value::as_str).unwrap_or("member");
                let reader = self.xml_element_reader(Self::target(lm)?)?;
                format!("el.list({el:?}, {item:?}, {is_required}, {reader})?")
            }
            (None, "structure") => {
                let read = format!("el.structure::<{}>({el:?})?", type_name(target));
                let read = if *boxed { format!("{read}.map(Box::new)") } else { read };
                if *is_required { format!("el.required({read}, {el:?})?") } else { read }
            }
            (None, _) => {
                let read = if is_enum {
                    format!("el.enum_scalar({el:?}, {})?", const_name(target))
                } else {
                    format!("el.scalar::<{}>({el:?})?", self.rust_type(target)?)
                };
                let read = self.constrained(read, target, el)?;
                if *is_required { format!("el.required({read}, {el:?})?") } else { read }
            }
        })
    }

    /// An output structure's [`ToXml`]: its body members as elements. Members with a location
    /// (headers) are left out of the body and returned as (header name, field, required).
    fn write_rest_to_xml<'f>(
        &self,
        out: &mut String,
        name: &str,
        ty: &str,
        fields: &'f [Field<'a>],
        reach: &Reach,
    ) -> Result<Vec<(&'a str, &'f str, bool)>> {
        writeln!(out, "impl ToXml for {ty} {{")?;
        writeln!(out, "    fn write_xml(&self, w: &mut XmlWriter) {{")?;
        let mut headers = Vec::new();
        for (mname, m, target, field, _, _, is_required, _) in fields {
            let el = loc_name(mname, m);
            if location(m).is_some() {
                if self.rust_type(target)? != "String" {
                    bail!("{name}.{mname}: only string headers are supported");
                }
                headers.push((el, field.as_str(), *is_required));
                continue;
            }
            match self.kind(target)? {
                "list" => {
                    let lm = self.list_member(target)?;
                    let item = lm.get("locationName").and_then(Value::as_str).unwrap_or("member");
                    // Required lists, and the lists of a response itself, are written
                    // even when empty, so clients see `[]`.
                    let always = *is_required
                        || reach.top_level_outputs.contains(name)
                        || self.always_written(name, mname);
                    writeln!(out, "        w.list({el:?}, {item:?}, &self.{field}, {always});")?;
                }
                "structure" if *is_required => writeln!(
                    out,
                    "        w.open({el:?}); self.{field}.write_xml(w); w.close({el:?});"
                )?,
                "structure" => writeln!(out, "        w.structure({el:?}, &self.{field});")?,
                _ if *is_required => writeln!(out, "        w.value({el:?}, &self.{field});")?,
                _ => writeln!(out, "        w.scalar({el:?}, &self.{field});")?,
            }
        }
        writeln!(out, "    }}")?;
        writeln!(out, "}}\n")?;
        Ok(headers)
    }
}

/// Where a member is read from or written to outside the XML body (`uri`, `querystring`,
/// `header`), if anywhere.
fn location(m: &Map<String, Value>) -> Option<&str> {
    m.get("location").and_then(Value::as_str)
}

/// A member's wire name: its `locationName`, else the member name.
fn loc_name<'m>(mname: &'m str, m: &'m Map<String, Value>) -> &'m str {
    m.get("locationName").and_then(Value::as_str).unwrap_or(mname)
}

/// A top-level output's [`RestOutput`]: the header members the service's render adds to the
/// reply (an optional one only when set).
fn write_rest_output(out: &mut String, ty: &str, headers: &[(&str, &str, bool)]) -> Result<()> {
    if headers.is_empty() {
        writeln!(out, "impl RestOutput for {ty} {{}}\n")?;
        return Ok(());
    }
    writeln!(out, "impl RestOutput for {ty} {{")?;
    writeln!(out, "    fn headers(&self) -> Vec<(&'static str, String)> {{")?;
    writeln!(out, "        let mut h = Vec::new();")?;
    for (el, field, required) in headers {
        if *required {
            writeln!(out, "        h.push(({el:?}, self.{field}.clone()));")?;
        } else {
            writeln!(
                out,
                "        if let Some(v) = &self.{field} {{ h.push(({el:?}, v.clone())); }}"
            )?;
        }
    }
    writeln!(out, "        h")?;
    writeln!(out, "    }}")?;
    writeln!(out, "}}\n")?;
    Ok(())
}

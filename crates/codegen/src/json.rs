//! awsJson: the request readers and response writers of JSON structures.

use super::*;

impl Generator<'_> {
    /// An expression of type `impl Fn(&Value, &str) -> Result<T, ApiError>` reading one JSON
    /// list element.
    pub(super) fn json_element_reader(&self, shape: &str) -> Result<String> {
        Ok(match self.kind(shape)? {
            "structure" => format!("read_structure::<{}>", type_name(shape)),
            "list" => format!(
                "|v: &Value, p: &str| read_list(v, p, {})",
                self.json_element_reader(Self::target(self.list_member(shape)?)?)?
            ),
            _ if self.shape(shape)?.contains_key("enum") => {
                format!("|v: &Value, p: &str| read_enum(v, p, {})", const_name(shape))
            }
            _ => format!("read_scalar::<{}>", self.rust_type(shape)?),
        })
    }

    /// An expression turning the list `items` (an expression) of `shape` into JSON values.
    pub(super) fn json_list_writer(&self, shape: &str, items: &str) -> Result<String> {
        let element = Self::target(self.list_member(shape)?)?;
        Ok(match self.kind(element)? {
            "structure" => format!("{items}.iter().map(ToJson::to_json).collect()"),
            "list" => format!(
                "{items}.iter().map(|l| Value::Array({})).collect()",
                self.json_list_writer(element, "l")?
            ),
            _ => format!("{items}.iter().map(JsonElement::element).collect()"),
        })
    }

    pub(super) fn write_json_struct(
        &self,
        out: &mut String,
        name: &str,
        reach: &Reach,
    ) -> Result<()> {
        let ty = type_name(name);
        let fields = self.fields(name)?;
        write_struct_def(out, &ty, &fields)?;

        if reach.input.contains(name) {
            writeln!(out, "impl FromJson for {ty} {{")?;
            writeln!(out, "    fn from_json(input: JsonIn<'_>) -> Result<Self, ApiError> {{")?;
            writeln!(out, "        Ok(Self {{")?;
            for (mname, _, target, field, _, _, is_required, boxed) in &fields {
                let expr = match self.kind(target)? {
                    "list" => {
                        let reader =
                            self.json_element_reader(Self::target(self.list_member(target)?)?)?;
                        let read = format!("input.list({mname:?}, {reader})?");
                        if *is_required {
                            format!("required_list({read}, &input, {mname:?})?")
                        } else {
                            read
                        }
                    }
                    "structure" => {
                        let read = format!("input.structure::<{}>({mname:?})?", type_name(target));
                        let read = if *boxed { format!("{read}.map(Box::new)") } else { read };
                        if *is_required {
                            format!("required({read}, &input, {mname:?})?")
                        } else {
                            read
                        }
                    }
                    _ => {
                        let read = if self.shape(target)?.contains_key("enum") {
                            format!("input.enum_scalar({mname:?}, {})?", const_name(target))
                        } else {
                            format!("input.scalar::<{}>({mname:?})?", self.rust_type(target)?)
                        };
                        if *is_required {
                            format!("required({read}, &input, {mname:?})?")
                        } else {
                            read
                        }
                    }
                };
                writeln!(out, "            {field}: {expr},")?;
            }
            writeln!(out, "        }})")?;
            writeln!(out, "    }}")?;
            writeln!(out, "}}\n")?;
        }

        if reach.output.contains(name) {
            // AWS's JSON services write empty lists (`"tags": []`) rather than leave them out.
            let always = true;
            writeln!(out, "impl ToJson for {ty} {{")?;
            writeln!(out, "    fn write_json(&self, out: &mut JsonOut) {{")?;
            for (mname, _, target, field, _, _, is_required, _) in &fields {
                match self.kind(target)? {
                    "list" => {
                        let items = self.json_list_writer(target, &format!("self.{field}"))?;
                        writeln!(out, "        out.list({mname:?}, {items}, {always});")?;
                    }
                    "structure" if *is_required => {
                        writeln!(out, "        out.object({mname:?}, &self.{field});")?
                    }
                    "structure" => {
                        writeln!(out, "        out.structure({mname:?}, &self.{field});")?
                    }
                    _ if *is_required => {
                        writeln!(out, "        out.value({mname:?}, &self.{field});")?
                    }
                    _ => writeln!(out, "        out.scalar({mname:?}, &self.{field});")?,
                }
            }
            writeln!(out, "    }}")?;
            writeln!(out, "}}\n")?;
        }
        Ok(())
    }
}

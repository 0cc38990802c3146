#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! Writes `crates/shapes/src/<service>.rs` from botocore's service models.
//!
//! For each service, the operations listed in `crates/codegen/operations/<service>.txt` are read
//! from `botocore/data/<service>/<version>/service-2.json.gz`; every structure reachable from their
//! inputs gets a [`wire::FromQuery`] implementation and every structure reachable from their
//! outputs a [`wire::ToXml`] one, with the serialized names worked out here once (ec2 dialect:
//! `queryName`, else the capitalised `locationName`, lists as `Name.N`; query dialect: lists as
//! `Name.member.N`; restXml: URI labels, query string, headers and body elements, with a route
//! table of method, path pattern and status). No documentation text is copied.
//!
//! `cargo run -p codegen` rewrites the files; `cargo run -p codegen -- --check` fails when they
//! are stale. botocore is found through `python3`, or `--botocore DIR`.

mod filters;
mod json;
mod rest_xml;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Ec2,
    Query,
    /// awsJson 1.1: members by their model names, timestamps as epoch seconds.
    Json,
    /// restXml (Route 53): inputs from URI labels, query string, headers and an XML body;
    /// outputs as XML elements named by `locationName`, some as headers.
    RestXml,
}

struct Service {
    name: &'static str,
    model: &'static str,
    protocol: Protocol,
}

/// Lists AWS writes even when empty (`<associationSet/>`), which clients then read as `[]`
/// rather than absent: (structure, member). Besides these, every list botocore's own examples
/// (`examples-1.json`, AWS's answers) show as `[]` for an operation vpclab serves is written
/// (`Generator::shown_empty`). Other nested lists are left out when empty, as AWS leaves them out.
const ALWAYS_WRITTEN: &[(&str, &str)] = &[
    ("InternetGateway", "Attachments"),
    ("NetworkAcl", "Associations"),
    ("NetworkAcl", "Entries"),
    ("PathComponent", "AdditionalDetails"),
    ("PathComponent", "Explanations"),
    ("RouteTable", "Associations"),
    ("RouteTable", "PropagatingVgws"),
    // ELBv2: a default rule's conditions and an unused target group's load balancers are [].
    ("Rule", "Conditions"),
    ("TargetGroup", "LoadBalancerArns"),
    ("SecurityGroup", "IpPermissions"),
    ("SecurityGroup", "IpPermissionsEgress"),
    // Every permission carries all four peer lists (`"UserIdGroupPairs": []`), and a subnet its
    // IPv6 associations, as DescribeSecurityGroups and DescribeSubnets answer in AWS.
    ("IpPermission", "IpRanges"),
    ("IpPermission", "Ipv6Ranges"),
    ("IpPermission", "PrefixListIds"),
    ("IpPermission", "UserIdGroupPairs"),
    ("Subnet", "Ipv6CidrBlockAssociationSet"),
    // Route 53: an untagged resource's tag set is `<Tags/>` (`"Tags": []`).
    ("ResourceTagSet", "Tags"),
];

/// Members a model marks required that AWS leaves out when it has nothing to say, as
/// (structure, member); they are generated as `Option`s. Route 53 echoes a listing's `Marker`
/// only when the request gave one.
const NOT_ALWAYS_SENT: &[(&str, &str)] = &[
    ("ListHealthChecksResponse", "Marker"),
    ("ListHostedZonesResponse", "Marker"),
    ("ListReusableDelegationSetsResponse", "Marker"),
];

/// Enum shapes AWS reads whatever their case (`--protocol TCP` creates a path with `tcp`; a
/// network ACL entry's `RuleAction=ALLOW` is stored as `allow`); the model normalises them.
/// Other enums must match exactly.
const CASE_INSENSITIVE_ENUMS: &[&str] = &["Protocol", "RuleAction"];

/// Request members, as (structure, member), whose enum AWS does not enforce: they are read as
/// plain strings and the handler decides. AllocateAddress takes any Domain but `standard` as
/// `vpc` (`--domain ""` and `--domain xyz` allocate VPC addresses, tried on AWS in moto#5729).
/// ModifyVpcTenancy answers any tenancy but `default` with its own code, UnsupportedTenancy.
const UNCHECKED_ENUM_MEMBERS: &[(&str, &str)] =
    &[("AllocateAddressRequest", "Domain"), ("ModifyVpcTenancyRequest", "InstanceTenancy")];

/// The `QueryMap` method that reads a value of the enum shape `shape`: the awsQuery services
/// answer a bad value with their validation framework's message, EC2 with its own.
fn enum_reader(protocol: Protocol, shape: &str) -> &'static str {
    if protocol == Protocol::Query {
        "enum_member"
    } else if CASE_INSENSITIVE_ENUMS.contains(&shape) {
        "enum_scalar_ignoring_case"
    } else {
        "enum_scalar"
    }
}

const SERVICES: &[Service] = &[
    Service { name: "ec2", model: "ec2/2016-11-15", protocol: Protocol::Ec2 },
    Service { name: "sts", model: "sts/2011-06-15", protocol: Protocol::Query },
    Service { name: "direct_connect", model: "directconnect/2012-10-25", protocol: Protocol::Json },
    Service { name: "elbv2", model: "elbv2/2015-12-01", protocol: Protocol::Query },
    Service { name: "route53", model: "route53/2013-04-01", protocol: Protocol::RestXml },
    Service {
        name: "route53_resolver",
        model: "route53resolver/2018-04-01",
        protocol: Protocol::Json,
    },
];

fn main() -> Result<()> {
    let mut check = false;
    let mut botocore: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--botocore" => {
                botocore = Some(args.next().context("--botocore needs a directory")?.into())
            }
            other => bail!("unknown argument {other}; usage: codegen [--check] [--botocore DIR]"),
        }
    }
    let botocore = match botocore {
        Some(dir) => dir,
        None => find_botocore()?,
    };
    let version = botocore_version(&botocore)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut stale = Vec::new();
    for service in SERVICES {
        let ops_file = root.join(format!("crates/codegen/operations/{}.txt", service.name));
        let ops: Vec<String> = std::fs::read_to_string(&ops_file)
            .with_context(|| format!("reading {}", ops_file.display()))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        let model_path = botocore.join("data").join(service.model).join("service-2.json.gz");
        let model = read_model(&model_path)?;
        let mut generator = Generator::new(service, &model, &version)?;
        let examples_path = botocore.join("data").join(service.model).join("examples-1.json");
        if let Ok(text) = std::fs::read_to_string(&examples_path) {
            let examples: Value = serde_json::from_str(&text)
                .with_context(|| format!("reading {}", examples_path.display()))?;
            generator.read_examples(&examples, &ops)?;
        }
        let code = rustfmt(&generator.generate(&ops)?)?;
        let out = root.join(format!("crates/shapes/src/{}.rs", service.name));
        if check {
            let current = std::fs::read_to_string(&out).unwrap_or_default();
            if current != code {
                stale.push(out.display().to_string());
            }
        } else {
            std::fs::write(&out, code).with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {} ({} operations)", out.display(), ops.len());
        }
    }
    if !stale.is_empty() {
        bail!("generated shapes are stale (run `cargo run -p codegen`): {}", stale.join(", "));
    }
    Ok(())
}

/// Formats generated code as `cargo fmt` would, so the committed files pass `cargo fmt --check`.
fn rustfmt(code: &str) -> Result<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args([
            "--edition",
            "2024",
            "--emit",
            "stdout",
            "--config",
            "max_width=100,use_small_heuristics=Max",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("running rustfmt")?;
    child.stdin.take().context("rustfmt stdin")?.write_all(code.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("rustfmt failed on generated code");
    }
    Ok(String::from_utf8(out.stdout)?)
}

fn find_botocore() -> Result<PathBuf> {
    let out = std::process::Command::new("python3")
        .args(["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"])
        .output()
        .context("running python3 to find botocore (pip install -r tests/e2e/requirements.txt)")?;
    if !out.status.success() {
        bail!("botocore is not installed: pip install -r tests/e2e/requirements.txt");
    }
    Ok(PathBuf::from(String::from_utf8(out.stdout)?.trim()))
}

fn botocore_version(dir: &Path) -> Result<String> {
    let init = std::fs::read_to_string(dir.join("__init__.py"))?;
    init.lines()
        .find_map(|l| l.strip_prefix("__version__ = "))
        .map(|v| v.trim_matches(|c| c == '\'' || c == '"').to_owned())
        .context("botocore/__init__.py has no __version__")
}

fn read_model(path: &Path) -> Result<Value> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut text)?;
    Ok(serde_json::from_str(&text)?)
}

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self",
    "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield", "abstract", "become",
];

const RESERVED_TYPE_NAMES: &[&str] =
    &["String", "Option", "Vec", "Box", "Result", "Self", "Timestamp", "QueryMap"];

/// A member of a structure as [`Generator::fields`] lists it: (member, member def, target
/// shape, field, Rust type, is list, is required, boxed).
type Field<'a> = (&'a str, &'a Map<String, Value>, &'a str, String, String, bool, bool, bool);

/// A structure's Rust definition, the same for every protocol.
fn write_struct_def(out: &mut String, ty: &str, fields: &[Field<'_>]) -> Result<()> {
    writeln!(out, "#[derive(Debug, Clone, Default, PartialEq)]")?;
    writeln!(out, "pub struct {ty} {{")?;
    for (_, _, _, field, rust, ..) in fields {
        writeln!(out, "    pub {field}: {rust},")?;
    }
    writeln!(out, "}}\n")?;
    Ok(())
}

fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = if i > 0 { chars.get(i - 1).copied() } else { None };
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None => false,
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                // `DNSName` → `dns_name`, but a plural acronym stays whole: `VPCs` → `vpcs`.
                Some(p) if p.is_ascii_uppercase() => {
                    let plural = next == Some('s')
                        && chars.get(i + 2).is_none_or(|n| n.is_ascii_uppercase());
                    next.is_some_and(|n| n.is_ascii_lowercase()) && !plural
                }
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    if RUST_KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

fn type_name(shape: &str) -> String {
    let mut name: String = shape.chars().filter(char::is_ascii_alphanumeric).collect();
    if let Some(first) = name.get(..1) {
        let upper = first.to_ascii_uppercase();
        name.replace_range(..1, &upper);
    }
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
        name.push_str("Shape");
    }
    name
}

fn const_name(shape: &str) -> String {
    format!("{}_VALUES", snake_case(&type_name(shape)).trim_end_matches('_').to_ascii_uppercase())
}

struct Generator<'a> {
    protocol: Protocol,
    service: &'a Service,
    version: &'a str,
    metadata: &'a Map<String, Value>,
    operations: &'a Map<String, Value>,
    shapes: &'a Map<String, Value>,
    /// (structure, member) lists botocore's examples show empty (`[]`) in an answer.
    shown_empty: BTreeSet<(String, String)>,
}

#[derive(Default)]
struct Reach {
    input: BTreeSet<String>,
    output: BTreeSet<String>,
    enums: BTreeSet<String>,
    top_level_outputs: BTreeSet<String>,
    /// restXml: top-level input shapes and the root element of their body.
    top_level_inputs: std::collections::BTreeMap<String, String>,
}

impl<'a> Generator<'a> {
    fn new(service: &'a Service, model: &'a Value, version: &'a str) -> Result<Self> {
        let obj = |k: &str| {
            model.get(k).and_then(Value::as_object).with_context(|| format!("model has no {k}"))
        };
        Ok(Self {
            protocol: service.protocol,
            service,
            version,
            metadata: obj("metadata")?,
            operations: obj("operations")?,
            shapes: obj("shapes")?,
            shown_empty: BTreeSet::new(),
        })
    }

    /// Notes the lists each served operation's botocore example answers show as `[]`.
    fn read_examples(&mut self, examples: &Value, ops: &[String]) -> Result<()> {
        let Some(by_op) = examples.get("examples").and_then(Value::as_object) else {
            return Ok(());
        };
        let mut found = BTreeSet::new();
        for op in ops {
            let Some(output) = self
                .operations
                .get(op)
                .and_then(|o| o.get("output"))
                .and_then(|o| o.get("shape"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            for example in by_op.get(op).and_then(Value::as_array).into_iter().flatten() {
                if let Some(answer) = example.get("output") {
                    self.empty_lists(output, answer, &mut found)?;
                }
            }
        }
        self.shown_empty = found;
        Ok(())
    }

    fn empty_lists(
        &self,
        shape: &str,
        value: &Value,
        found: &mut BTreeSet<(String, String)>,
    ) -> Result<()> {
        match (self.kind(shape)?, value) {
            ("structure", Value::Object(fields)) => {
                for (mname, m) in self.members(shape)? {
                    let Some(v) = fields.get(mname) else { continue };
                    let target = Self::target(m)?;
                    if self.kind(target)? == "list" && v.as_array().is_some_and(Vec::is_empty) {
                        found.insert((shape.to_owned(), mname.clone()));
                    }
                    self.empty_lists(target, v, found)?;
                }
            }
            ("list", Value::Array(items)) => {
                let member = Self::target(self.list_member(shape)?)?;
                for item in items {
                    self.empty_lists(member, item, found)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn always_written(&self, shape: &str, member: &str) -> bool {
        ALWAYS_WRITTEN.iter().any(|(s, m)| shape == *s && member == *m)
            || self.shown_empty.contains(&(shape.to_owned(), member.to_owned()))
    }

    /// The error codes the model declares and the HTTP status each is answered with (400
    /// where the model gives none), sorted by code. EC2's model declares none.
    fn write_errors(&self, out: &mut String) -> Result<()> {
        let mut errors: Vec<(String, u64)> = self
            .shapes
            .iter()
            .filter_map(|(name, shape)| {
                let shape = shape.as_object()?;
                shape.get("exception")?;
                let error = shape.get("error").and_then(Value::as_object);
                let code = error
                    .and_then(|e| e.get("code"))
                    .and_then(Value::as_str)
                    .unwrap_or(name)
                    .to_owned();
                let status = error
                    .and_then(|e| e.get("httpStatusCode"))
                    .and_then(Value::as_u64)
                    .unwrap_or(400);
                Some((code, status))
            })
            .collect();
        errors.sort();
        errors.dedup();
        writeln!(out, "/// The error codes the model declares, with the HTTP status of each.")?;
        writeln!(out, "pub const ERRORS: &[(&str, u16)] = &[")?;
        for (code, status) in &errors {
            writeln!(out, "    ({code:?}, {status}),")?;
        }
        writeln!(out, "];\n")?;
        Ok(())
    }

    fn shape(&self, name: &str) -> Result<&'a Map<String, Value>> {
        self.shapes.get(name).and_then(Value::as_object).with_context(|| format!("no shape {name}"))
    }

    fn kind(&self, name: &str) -> Result<&'a str> {
        self.shape(name)?
            .get("type")
            .and_then(Value::as_str)
            .with_context(|| format!("shape {name} has no type"))
    }

    fn members(&self, name: &str) -> Result<Vec<(&'a String, &'a Map<String, Value>)>> {
        let shape = self.shape(name)?;
        let Some(members) = shape.get("members").and_then(Value::as_object) else {
            return Ok(vec![]);
        };
        members
            .iter()
            .map(|(k, v)| {
                Ok((k, v.as_object().with_context(|| format!("{name}.{k} is not an object"))?))
            })
            .collect()
    }

    fn required(&self, name: &str) -> Result<BTreeSet<String>> {
        Ok(self
            .shape(name)?
            .get("required")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .filter(|m| !NOT_ALWAYS_SENT.contains(&(name, m)))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default())
    }

    fn list_member(&self, name: &str) -> Result<&'a Map<String, Value>> {
        self.shape(name)?
            .get("member")
            .and_then(Value::as_object)
            .with_context(|| format!("list {name} has no member"))
    }

    fn target(member: &Map<String, Value>) -> Result<&str> {
        member.get("shape").and_then(Value::as_str).context("member without shape")
    }

    fn walk(&self, name: &str, input: bool, reach: &mut Reach) -> Result<()> {
        let set = if input { &mut reach.input } else { &mut reach.output };
        if !set.insert(name.to_owned()) {
            return Ok(());
        }
        match self.kind(name)? {
            "structure" => {
                for (_, m) in self.members(name)? {
                    self.walk(Self::target(m)?, input, reach)?;
                }
            }
            "list" => self.walk(Self::target(self.list_member(name)?)?, input, reach)?,
            "map" => {
                self.map_entry_names(name)?;
            }
            "string" if input && self.shape(name)?.contains_key("enum") => {
                reach.enums.insert(name.to_owned());
            }
            _ => {}
        }
        Ok(())
    }

    /// The Rust type of a shape, boxed where a structure would contain itself.
    fn rust_type(&self, name: &str) -> Result<String> {
        Ok(match self.kind(name)? {
            "string" | "blob" => "String".into(),
            "integer" => "i32".into(),
            "long" => "i64".into(),
            "boolean" => "bool".into(),
            "double" | "float" => "f64".into(),
            "timestamp" => "Timestamp".into(),
            "structure" => type_name(name),
            "list" => format!("Vec<{}>", self.rust_type(Self::target(self.list_member(name)?)?)?),
            // string maps, in the order the request gave them
            "map" => "Vec<(String, String)>".into(),
            other => bail!("unsupported type {other} of {name}"),
        })
    }

    /// The element names of a map's entries, `(key, value)`. Only the query dialect's
    /// wrapped string maps are supported (`X.entry.N.key`, `<X><entry><key>`).
    fn map_entry_names(&self, name: &str) -> Result<(&'a str, &'a str)> {
        if self.protocol != Protocol::Query || self.flattened(name)? {
            bail!("map shape {name} is supported only as a wrapped map of the query protocol");
        }
        let shape = self.shape(name)?;
        let part = |k: &'static str| -> Result<&'a str> {
            let m =
                shape.get(k).and_then(Value::as_object).with_context(|| format!("{name}.{k}"))?;
            if self.kind(Self::target(m)?)? != "string" {
                bail!("map shape {name} has a {k} that is not a string");
            }
            Ok(m.get("locationName").and_then(Value::as_str).unwrap_or(k))
        };
        Ok((part("key")?, part("value")?))
    }

    /// Whether structure `from` contains `to` through structure members alone (not lists).
    fn contains(&self, from: &str, to: &str, seen: &mut BTreeSet<String>) -> Result<bool> {
        if !seen.insert(from.to_owned()) {
            return Ok(false);
        }
        for (_, m) in self.members(from)? {
            let t = Self::target(m)?;
            if self.kind(t)? == "structure" && (t == to || self.contains(t, to, seen)?) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn serialized_name(&self, member_name: &str, member: &Map<String, Value>) -> String {
        let s = |k: &str| member.get(k).and_then(Value::as_str);
        match self.protocol {
            Protocol::Ec2 => {
                if let Some(q) = s("queryName") {
                    q.to_owned()
                } else if let Some(l) = s("locationName") {
                    let mut c = l.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                } else {
                    member_name.to_owned()
                }
            }
            Protocol::Query | Protocol::RestXml => {
                s("locationName").unwrap_or(member_name).to_owned()
            }
            Protocol::Json => member_name.to_owned(),
        }
    }

    fn output_name<'m>(member_name: &'m str, member: &'m Map<String, Value>) -> &'m str {
        member.get("locationName").and_then(Value::as_str).unwrap_or(member_name)
    }

    fn flattened(&self, name: &str) -> Result<bool> {
        Ok(self.shape(name)?.get("flattened").and_then(Value::as_bool).unwrap_or(false))
    }

    /// Expression reading the list `list` at the key `key_expr` with the element reader `reader`.
    /// The query dialect nests elements under `member` (or the member's `locationName`) and
    /// sends an empty list as the bare key (`Names=`), which `member_list` accepts.
    fn list_read(&self, list: &str, key_expr: &str, reader: &str) -> Result<String> {
        Ok(match self.protocol {
            Protocol::Ec2 | Protocol::Json | Protocol::RestXml => {
                format!("q.list({key_expr}, {reader})")
            }
            Protocol::Query if self.flattened(list)? => format!("q.list({key_expr}, {reader})"),
            Protocol::Query => {
                let m = self.list_member(list)?;
                let item = m.get("locationName").and_then(Value::as_str).unwrap_or("member");
                format!("q.member_list({key_expr}, {item:?}, {reader})")
            }
        })
    }

    /// An expression of type `impl Fn(&QueryMap, &str) -> Result<T, ApiError>` reading one element.
    fn element_reader(&self, shape: &str) -> Result<String> {
        Ok(match self.kind(shape)? {
            "structure" => format!("{}::from_query", type_name(shape)),
            "list" => {
                let reader = self.element_reader(Self::target(self.list_member(shape)?)?)?;
                format!("|q: &QueryMap, k: &str| {}", self.list_read(shape, "k", &reader)?)
            }
            _ if self.shape(shape)?.contains_key("enum") => {
                format!(
                    "|q: &QueryMap, k: &str| required(q.{}(k, {})?, k)",
                    enum_reader(self.protocol, shape),
                    const_name(shape)
                )
            }
            _ => format!(
                "|q: &QueryMap, k: &str| required(q.scalar::<{}>(k)?, k)",
                self.rust_type(shape)?
            ),
        })
    }

    fn generate(&self, ops: &[String]) -> Result<String> {
        let mut reach = Reach::default();
        let mut op_rows = Vec::new();
        let mut routes = Vec::new();
        for op in ops {
            let def = self
                .operations
                .get(op)
                .with_context(|| format!("{} has no operation {op}", self.service.name))?;
            let input = def.pointer("/input/shape").and_then(Value::as_str);
            let output = def.pointer("/output/shape").and_then(Value::as_str);
            if let Some(i) = input {
                self.walk(i, true, &mut reach)?;
                let root = def.pointer("/input/locationName").and_then(Value::as_str);
                reach.top_level_inputs.insert(i.to_owned(), root.unwrap_or(i).to_owned());
            }
            if let Some(o) = output {
                self.walk(o, false, &mut reach)?;
                reach.top_level_outputs.insert(o.to_owned());
            }
            op_rows.push((op.clone(), input.map(type_name), output.map(type_name)));
            if self.protocol == Protocol::RestXml {
                let http = def.get("http").with_context(|| format!("{op} has no http"))?;
                let field = |k: &str| http.get(k).and_then(Value::as_str).unwrap_or_default();
                let status = http.get("responseCode").and_then(Value::as_u64).unwrap_or(200);
                routes.push(format!(
                    "    Route::new({op:?}, {:?}, {:?}, {status}),",
                    field("method"),
                    field("requestUri")
                ));
            }
        }

        let mut out = String::new();
        // restXml models name the namespace on each operation's input, not in the metadata.
        let ns = self
            .metadata
            .get("xmlNamespace")
            .and_then(Value::as_str)
            .or_else(|| {
                ops.iter().find_map(|op| {
                    self.operations.get(op)?.pointer("/input/xmlNamespace/uri")?.as_str()
                })
            })
            .unwrap_or_default();
        let api_version =
            self.metadata.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
        writeln!(
            out,
            "// @generated by `cargo run -p codegen` from botocore {} ({}/{}). Do not edit.",
            self.version, self.service.name, api_version
        )?;
        writeln!(out, "#![allow(clippy::all, dead_code, unused_imports, unused_variables)]\n")?;
        writeln!(out, "use wire::error::ApiError;")?;
        writeln!(out, "use wire::time::Timestamp;")?;
        if self.protocol == Protocol::Json {
            writeln!(out, "use wire::json::{{")?;
            writeln!(out, "    read_enum, read_list, read_scalar, read_structure, required,")?;
            writeln!(
                out,
                "    required_list, FromJson, JsonElement, JsonIn, JsonOut, ToJson, Value,"
            )?;
            writeln!(out, "}};\n")?;
            let prefix =
                self.metadata.get("targetPrefix").and_then(Value::as_str).unwrap_or_default();
            writeln!(out, "/// The API version of the model.")?;
            writeln!(out, "pub const API_VERSION: &str = {api_version:?};")?;
            writeln!(out, "/// `X-Amz-Target` is `<TARGET_PREFIX>.<Operation>`.")?;
            writeln!(out, "pub const TARGET_PREFIX: &str = {prefix:?};\n")?;
        } else if self.protocol == Protocol::RestXml {
            writeln!(out, "use wire::rest::{{")?;
            writeln!(
                out,
                "    check_len, check_range, required_param, Element, FromRest, FromXml,"
            )?;
            writeln!(out, "    RestInput, RestOutput, Route,")?;
            writeln!(out, "}};")?;
            writeln!(out, "use wire::xml::{{ToXml, XmlWriter}};\n")?;
            writeln!(out, "/// The API version, the first segment of every path.")?;
            writeln!(out, "pub const API_VERSION: &str = {api_version:?};")?;
            writeln!(out, "/// The XML namespace of request and response documents.")?;
            writeln!(out, "pub const XML_NAMESPACE: &str = {ns:?};\n")?;
            writeln!(out, "/// How each operation is addressed, and the status it answers with.")?;
            writeln!(out, "pub const ROUTES: &[Route] = &[")?;
            for r in &routes {
                writeln!(out, "{r}")?;
            }
            writeln!(out, "];\n")?;
        } else {
            writeln!(
                out,
                "use wire::query::{{join, required, required_list, FromQuery, QueryMap}};"
            )?;
            writeln!(out, "use wire::xml::{{ToXml, XmlWriter}};\n")?;
            writeln!(out, "/// The API version clients send in `Version`.")?;
            writeln!(out, "pub const API_VERSION: &str = {api_version:?};")?;
            writeln!(out, "/// The XML namespace of response documents.")?;
            writeln!(out, "pub const XML_NAMESPACE: &str = {ns:?};\n")?;
        }
        writeln!(out, "/// The operations generated here: (name, input shape, output shape).")?;
        writeln!(out, "pub const OPERATIONS: &[(&str, &str, &str)] = &[")?;
        for (op, i, o) in &op_rows {
            writeln!(
                out,
                "    ({op:?}, {:?}, {:?}),",
                i.as_deref().unwrap_or(""),
                o.as_deref().unwrap_or("")
            )?;
        }
        writeln!(out, "];\n")?;
        self.write_errors(&mut out)?;
        if self.protocol == Protocol::Ec2 {
            filters::write(&mut out, ops, self.operations, self.shapes)?;
        }

        for e in &reach.enums {
            let values: Vec<String> = self
                .shape(e)?
                .get("enum")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(|s| format!("{s:?}")).collect())
                .unwrap_or_default();
            writeln!(out, "pub const {}: &[&str] = &[{}];", const_name(e), values.join(", "))?;
        }
        out.push('\n');

        let structs: BTreeSet<&String> = reach
            .input
            .iter()
            .chain(reach.output.iter())
            .filter(|s| matches!(self.kind(s), Ok("structure")))
            .collect();
        for s in structs {
            if self.protocol == Protocol::Json {
                self.write_json_struct(&mut out, s, &reach)?;
            } else if self.protocol == Protocol::RestXml {
                self.write_rest_struct(&mut out, s, &reach)?;
            } else {
                self.write_struct(&mut out, s, &reach)?;
            }
        }
        Ok(out)
    }

    /// The fields of structure `name`: (member, member def, target shape, field, Rust type, is
    /// list, is required, boxed).
    fn fields(&self, name: &str) -> Result<Vec<Field<'a>>> {
        let required = self.required(name)?;
        let mut fields = Vec::new();
        let mut seen = BTreeSet::new();
        for (mname, m) in self.members(name)? {
            let target = Self::target(m)?;
            let field = snake_case(mname);
            if !seen.insert(field.clone()) {
                bail!("{name}: two members map to field {field}");
            }
            let base = self.rust_type(target)?;
            let boxed = self.kind(target)? == "structure"
                && (target == name || self.contains(target, name, &mut BTreeSet::new())?);
            let base = if boxed { format!("Box<{base}>") } else { base };
            let is_list = matches!(self.kind(target)?, "list" | "map");
            let is_required = required.contains(mname.as_str());
            let rust =
                if is_list || is_required { base.clone() } else { format!("Option<{base}>") };
            fields.push((mname.as_str(), m, target, field, rust, is_list, is_required, boxed));
        }
        Ok(fields)
    }

    fn write_struct(&self, out: &mut String, name: &str, reach: &Reach) -> Result<()> {
        let ty = type_name(name);
        let fields = self.fields(name)?;
        write_struct_def(out, &ty, &fields)?;

        if reach.input.contains(name) {
            writeln!(out, "impl FromQuery for {ty} {{")?;
            writeln!(out, "    fn from_query(q: &QueryMap, p: &str) -> Result<Self, ApiError> {{")?;
            writeln!(out, "        Ok(Self {{")?;
            for (mname, m, target, field, _, _, is_required, boxed) in &fields {
                let key = format!("&join(p, {:?})", self.serialized_name(mname, m));
                let expr = match self.kind(target)? {
                    "list" => {
                        let reader =
                            self.element_reader(Self::target(self.list_member(target)?)?)?;
                        let read = format!("{}?", self.list_read(target, &key, &reader)?);
                        if !*is_required {
                            read
                        } else if self.protocol == Protocol::Ec2 {
                            // EC2 names a missing list by its internal name: CreateTags without
                            // `ResourceId.N` asks for "resourceIdSet" (moto's AWS-derived test).
                            let serialized = self.serialized_name(mname, m);
                            let mut c = serialized.chars();
                            let internal = c
                                .next()
                                .map(|f| f.to_ascii_lowercase().to_string() + c.as_str() + "Set")
                                .unwrap_or_default();
                            format!("required_list({read}, {internal:?})?")
                        } else {
                            format!("required_list({read}, {key})?")
                        }
                    }
                    "map" => {
                        let (k, v) = self.map_entry_names(target)?;
                        let read = format!("q.string_map({key}, {k:?}, {v:?})?");
                        if *is_required { format!("required_list({read}, {key})?") } else { read }
                    }
                    "structure" => {
                        let read = format!("q.structure::<{}>({key})?", type_name(target));
                        let read = if *boxed { format!("{read}.map(Box::new)") } else { read };
                        if *is_required { format!("required({read}, {key})?") } else { read }
                    }
                    _ => {
                        let checked =
                            !UNCHECKED_ENUM_MEMBERS.iter().any(|(s, m)| name == *s && mname == m);
                        let read = if checked && self.shape(target)?.contains_key("enum") {
                            format!(
                                "q.{}({key}, {})?",
                                enum_reader(self.protocol, target),
                                const_name(target)
                            )
                        } else {
                            format!("q.scalar::<{}>({key})?", self.rust_type(target)?)
                        };
                        if *is_required { format!("required({read}, {key})?") } else { read }
                    }
                };
                writeln!(out, "            {field}: {expr},")?;
            }
            writeln!(out, "        }})")?;
            writeln!(out, "    }}")?;
            writeln!(out, "}}\n")?;
        }

        if reach.output.contains(name) {
            let top = reach.top_level_outputs.contains(name);
            writeln!(out, "impl ToXml for {ty} {{")?;
            writeln!(out, "    fn write_xml(&self, w: &mut XmlWriter) {{")?;
            for (mname, m, target, field, _, _, is_required, _) in &fields {
                let el = Self::output_name(mname, m);
                match self.kind(target)? {
                    "list" => {
                        if self.flattened(target)? {
                            writeln!(out, "        w.flat_list({el:?}, &self.{field});")?;
                        } else {
                            let lm = self.list_member(target)?;
                            let item =
                                lm.get("locationName").and_then(Value::as_str).unwrap_or("member");
                            let always = top || self.always_written(name, mname);
                            writeln!(
                                out,
                                "        w.list({el:?}, {item:?}, &self.{field}, {always});"
                            )?;
                        }
                    }
                    "map" => {
                        let (k, v) = self.map_entry_names(target)?;
                        writeln!(out, "        w.map({el:?}, {k:?}, {v:?}, &self.{field});")?;
                    }
                    "structure" if *is_required => {
                        writeln!(
                            out,
                            "        w.open({el:?}); self.{field}.write_xml(w); w.close({el:?});"
                        )?;
                    }
                    "structure" => writeln!(out, "        w.structure({el:?}, &self.{field});")?,
                    _ if *is_required => {
                        writeln!(out, "        w.value({el:?}, &self.{field});")?;
                    }
                    _ => writeln!(out, "        w.scalar({el:?}, &self.{field});")?,
                }
            }
            writeln!(out, "    }}")?;
            writeln!(out, "}}\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_cases_aws_names() {
        assert_eq!(snake_case("VpcId"), "vpc_id");
        assert_eq!(snake_case("Ipv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake_case("DNSName"), "dns_name");
        assert_eq!(snake_case("VPCs"), "vpcs");
        assert_eq!(snake_case("Type"), "type_");
        assert_eq!(snake_case("AmazonProvidedIpv6CidrBlock"), "amazon_provided_ipv6_cidr_block");
        assert_eq!(snake_case("userIdType"), "user_id_type");
    }
}

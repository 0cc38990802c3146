//! What vpclab knows of instance types: vCPUs, memory, network limits, burstability.
//!
//! The catalogue lists the common families (t2, t3, t3a, t4g, m5, m6i, c5, r5, and the legacy
//! default m1.small) with AWS's published figures. Any other `family.size` name is described
//! by [`info`] with figures derived from its size and family letter — enough for clients that
//! only check burstability or interface limits; vpclab runs no workloads.

/// One instance type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeInfo {
    pub name: String,
    pub vcpus: i32,
    pub cores: i32,
    pub threads_per_core: i32,
    pub memory_mib: i64,
    pub network_performance: String,
    pub burstable: bool,
    pub architectures: Vec<&'static str>,
    pub max_interfaces: usize,
    pub ipv4_per_interface: i32,
    /// `nitro` or `xen`.
    pub hypervisor: &'static str,
    pub current_generation: bool,
}

/// (name, vCPUs, memory MiB, network performance, max ENIs, IPv4 per ENI)
type Row = (&'static str, i32, i64, &'static str, usize, i32);

const T2: &[Row] = &[
    ("t2.nano", 1, 512, "Low to Moderate", 2, 2),
    ("t2.micro", 1, 1024, "Low to Moderate", 2, 2),
    ("t2.small", 1, 2048, "Low to Moderate", 3, 4),
    ("t2.medium", 2, 4096, "Low to Moderate", 3, 6),
    ("t2.large", 2, 8192, "Low to Moderate", 3, 12),
    ("t2.xlarge", 4, 16384, "Moderate", 3, 15),
    ("t2.2xlarge", 8, 32768, "Moderate", 3, 15),
];

const T3_SIZES: &[(&str, i32, i64, usize, i32)] = &[
    ("nano", 2, 512, 2, 2),
    ("micro", 2, 1024, 2, 2),
    ("small", 2, 2048, 3, 4),
    ("medium", 2, 4096, 3, 6),
    ("large", 2, 8192, 3, 12),
    ("xlarge", 4, 16384, 4, 15),
    ("2xlarge", 8, 32768, 4, 15),
];

/// (size, vCPUs, ENIs, IPv4 per ENI, network performance)
const BIG_SIZES: &[(&str, i32, usize, i32, &str)] = &[
    ("large", 2, 3, 10, "Up to 10 Gigabit"),
    ("xlarge", 4, 4, 15, "Up to 10 Gigabit"),
    ("2xlarge", 8, 4, 15, "Up to 10 Gigabit"),
    ("4xlarge", 16, 8, 30, "Up to 10 Gigabit"),
    ("8xlarge", 32, 8, 30, "10 Gigabit"),
    ("12xlarge", 48, 8, 30, "12 Gigabit"),
    ("16xlarge", 64, 15, 50, "20 Gigabit"),
    ("24xlarge", 96, 15, 50, "25 Gigabit"),
];

fn row(
    r: (&str, i32, i64, &str, usize, i32),
    burstable: bool,
    arch: &'static str,
    hypervisor: &'static str,
) -> TypeInfo {
    let (name, vcpus, memory, net, enis, ips) = r;
    let threads = if vcpus > 1 && !name.starts_with("t2.") { 2 } else { 1 };
    TypeInfo {
        name: name.to_owned(),
        vcpus,
        cores: (vcpus / threads).max(1),
        threads_per_core: threads,
        memory_mib: memory,
        network_performance: net.to_owned(),
        burstable,
        architectures: if name.starts_with("t2.") && vcpus <= 2 {
            vec!["i386", "x86_64"]
        } else {
            vec![arch]
        },
        max_interfaces: enis,
        ipv4_per_interface: ips,
        hypervisor,
        current_generation: true,
    }
}

/// The listed catalogue, sorted by name.
pub fn catalogue() -> Vec<TypeInfo> {
    let mut out: Vec<TypeInfo> = T2.iter().map(|r| row(*r, true, "x86_64", "xen")).collect();
    for (family, arch) in [("t3", "x86_64"), ("t3a", "x86_64"), ("t4g", "arm64")] {
        for (size, vcpus, mem, enis, ips) in T3_SIZES {
            let name = format!("{family}.{size}");
            out.push(row(
                (&name, *vcpus, *mem, "Up to 5 Gigabit", *enis, *ips),
                true,
                arch,
                "nitro",
            ));
        }
    }
    for (family, gib_per_vcpu) in [("m5", 4), ("m6i", 4), ("c5", 2), ("r5", 8)] {
        for (size, vcpus, enis, ips, net) in BIG_SIZES {
            let (vcpus, net) = match (family, *size) {
                // c5 sizes differ above 4xlarge.
                ("c5", "8xlarge") => (36, "12 Gigabit"),
                ("c5", "16xlarge") => (72, "25 Gigabit"),
                _ => (*vcpus, *net),
            };
            let name = format!(
                "{family}.{}",
                if family == "c5" && *size == "8xlarge" {
                    "9xlarge"
                } else if family == "c5" && *size == "16xlarge" {
                    "18xlarge"
                } else {
                    size
                }
            );
            out.push(row(
                (&name, vcpus, i64::from(vcpus) * gib_per_vcpu * 1024, net, *enis, *ips),
                false,
                "x86_64",
                "nitro",
            ));
        }
    }
    let mut m1 = row(("m1.small", 1, 1740, "Low", 2, 4), false, "x86_64", "xen");
    m1.architectures = vec!["i386", "x86_64"];
    m1.current_generation = false;
    out.push(m1);
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Whether a family's instances are burstable (T family).
pub fn is_burstable(name: &str) -> bool {
    name.starts_with('t') && name.contains('.')
}

/// The CPU credit option an instance gets without a CreditSpecification.
pub fn default_cpu_credits(name: &str) -> Option<&'static str> {
    if !is_burstable(name) {
        None
    } else if name.starts_with("t2.") {
        Some("standard")
    } else {
        Some("unlimited")
    }
}

/// The type's description: from the catalogue, else derived from its name.
pub fn info(name: &str) -> Option<TypeInfo> {
    // Built once: every launch asks.
    static LISTED: std::sync::OnceLock<Vec<TypeInfo>> = std::sync::OnceLock::new();
    let listed = LISTED.get_or_init(catalogue);
    if let Ok(at) = listed.binary_search_by(|t| t.name.as_str().cmp(name)) {
        return listed.get(at).cloned();
    }
    let (family, size) = name.split_once('.')?;
    let vcpus = match size {
        "nano" | "micro" | "small" | "medium" | "large" => 2,
        "xlarge" => 4,
        "metal" => 96,
        s => s.strip_suffix("xlarge").and_then(|n| n.parse::<i32>().ok()).map(|n| n * 4)?,
    };
    let gib_per_vcpu: i64 = match family.chars().next()? {
        'c' => 2,
        'r' => 8,
        'x' | 'z' | 'u' => 16,
        't' => 2,
        _ => 4,
    };
    let arm = family.chars().skip_while(|c| !c.is_ascii_digit()).skip(1).any(|c| c == 'g');
    let old = ["m1", "m2", "m3", "m4", "c1", "c3", "c4", "r3", "r4", "t1", "t2", "i2", "d2"]
        .contains(&family);
    let mut t = row(
        (
            name,
            vcpus,
            i64::from(vcpus) * gib_per_vcpu * 1024,
            if vcpus <= 16 { "Up to 10 Gigabit" } else { "25 Gigabit" },
            match vcpus {
                0..=2 => 3,
                3..=4 => 4,
                5..=16 => 8,
                _ => 15,
            },
            if vcpus <= 2 { 10 } else { 30 },
        ),
        is_burstable(name),
        if arm { "arm64" } else { "x86_64" },
        if old { "xen" } else { "nitro" },
    );
    t.current_generation = !old;
    Some(t)
}

/// How many network interfaces an instance of the type may have.
pub fn max_interfaces(name: &str) -> usize {
    info(name).map_or(3, |t| t.max_interfaces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_and_derived_types() {
        let all = catalogue();
        assert!(all.windows(2).all(|w| w[0].name < w[1].name));
        let t3 = info("t3.micro").unwrap();
        assert!(t3.burstable);
        assert_eq!((t3.vcpus, t3.memory_mib, t3.max_interfaces), (2, 1024, 2));
        assert_eq!(info("t4g.small").unwrap().architectures, vec!["arm64"]);
        let c5 = info("c5.9xlarge").unwrap();
        assert_eq!(c5.vcpus, 36);
        let derived = info("m7g.2xlarge").unwrap();
        assert_eq!((derived.vcpus, derived.architectures.clone()), (8, vec!["arm64"]));
        assert!(!derived.burstable);
        assert_eq!(default_cpu_credits("t2.micro"), Some("standard"));
        assert_eq!(default_cpu_credits("t3.micro"), Some("unlimited"));
        assert_eq!(default_cpu_credits("m5.large"), None);
        assert!(info("nonsense").is_none());
    }
}

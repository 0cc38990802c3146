//! ELBv2's fixed catalogue: the predefined TLS security policies (DescribeSSLPolicies) and the
//! account's default quotas (DescribeAccountLimits).

/// The policy a new HTTPS or TLS listener gets when none is named (API, CLI, SDKs, Terraform;
/// the console picks a TLS 1.3 one).
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-2016-08";

/// TLS 1.3 suites, in the order the TLS13 policies list them.
const TLS13: &[&str] =
    &["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

/// Forward-secret ECDHE suites with GCM (AEAD) only.
const ECDHE_GCM: &[&str] = &[
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
];

/// Forward-secret ECDHE suites with CBC and SHA-2.
const ECDHE_SHA2: &[&str] = &[
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
];

/// Forward-secret ECDHE suites with CBC and SHA-1.
const ECDHE_SHA1: &[&str] = &[
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-RSA-AES256-SHA",
    "ECDHE-ECDSA-AES256-SHA",
];

/// RSA key exchange suites (no forward secrecy) with SHA-2.
const RSA_SHA2: &[&str] =
    &["AES128-GCM-SHA256", "AES128-SHA256", "AES256-GCM-SHA384", "AES256-SHA256"];

/// RSA key exchange suites with SHA-1.
const RSA_SHA1: &[&str] = &["AES128-SHA", "AES256-SHA"];

/// 3DES, kept by the oldest policy only.
const DES: &[&str] = &["DES-CBC3-SHA"];

/// One predefined policy: name, protocols, cipher groups in priority order.
#[derive(Debug)]
pub struct SslPolicy {
    pub name: &'static str,
    pub protocols: &'static [&'static str],
    groups: &'static [&'static [&'static str]],
}

impl SslPolicy {
    /// The policy's ciphers with their priorities (1 first).
    pub fn ciphers(&self) -> Vec<(&'static str, u32)> {
        self.groups.iter().flat_map(|g| g.iter().copied()).zip(1..).collect()
    }
}

const V10_12: &[&str] = &["TLSv1", "TLSv1.1", "TLSv1.2"];
const V11_12: &[&str] = &["TLSv1.1", "TLSv1.2"];
const V12: &[&str] = &["TLSv1.2"];
const V10_13: &[&str] = &["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
const V11_13: &[&str] = &["TLSv1.1", "TLSv1.2", "TLSv1.3"];
const V12_13: &[&str] = &["TLSv1.2", "TLSv1.3"];
const V13: &[&str] = &["TLSv1.3"];

const LEGACY: &[&[&str]] = &[ECDHE_GCM, ECDHE_SHA2, ECDHE_SHA1, RSA_SHA2, RSA_SHA1];
const FS: &[&[&str]] = &[ECDHE_GCM, ECDHE_SHA2, ECDHE_SHA1];

/// The predefined policies of ELBv2, the TLS 1.3 family first.
pub const SSL_POLICIES: &[SslPolicy] = &[
    SslPolicy {
        name: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        protocols: V12_13,
        groups: &[TLS13, ECDHE_GCM, ECDHE_SHA2],
    },
    SslPolicy {
        name: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        protocols: V12_13,
        groups: &[TLS13, ECDHE_GCM],
    },
    SslPolicy {
        name: "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
        protocols: V12_13,
        groups: &[TLS13, ECDHE_GCM, ECDHE_SHA2, RSA_SHA2],
    },
    SslPolicy {
        name: "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
        protocols: V12_13,
        groups: &[TLS13, ECDHE_GCM, ECDHE_SHA2, ECDHE_SHA1, RSA_SHA2, RSA_SHA1],
    },
    SslPolicy {
        name: "ELBSecurityPolicy-TLS13-1-1-2021-06",
        protocols: V11_13,
        groups: &[TLS13, ECDHE_GCM, ECDHE_SHA2, ECDHE_SHA1, RSA_SHA2, RSA_SHA1],
    },
    SslPolicy {
        name: "ELBSecurityPolicy-TLS13-1-0-2021-06",
        protocols: V10_13,
        groups: &[TLS13, ECDHE_GCM, ECDHE_SHA2, ECDHE_SHA1, RSA_SHA2, RSA_SHA1],
    },
    SslPolicy { name: "ELBSecurityPolicy-TLS13-1-3-2021-06", protocols: V13, groups: &[TLS13] },
    SslPolicy { name: "ELBSecurityPolicy-2016-08", protocols: V10_12, groups: LEGACY },
    SslPolicy {
        name: "ELBSecurityPolicy-TLS-1-0-2015-04",
        protocols: V10_12,
        groups: &[ECDHE_GCM, ECDHE_SHA2, ECDHE_SHA1, RSA_SHA2, RSA_SHA1, DES],
    },
    SslPolicy { name: "ELBSecurityPolicy-TLS-1-1-2017-01", protocols: V11_12, groups: LEGACY },
    SslPolicy {
        name: "ELBSecurityPolicy-TLS-1-2-2017-01",
        protocols: V12,
        groups: &[ECDHE_GCM, ECDHE_SHA2, RSA_SHA2],
    },
    SslPolicy {
        name: "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        protocols: V12,
        groups: &[ECDHE_GCM, ECDHE_SHA2, ECDHE_SHA1, RSA_SHA2, RSA_SHA1],
    },
    SslPolicy { name: "ELBSecurityPolicy-FS-2018-06", protocols: V10_12, groups: FS },
    SslPolicy { name: "ELBSecurityPolicy-FS-1-1-2019-08", protocols: V11_12, groups: FS },
    SslPolicy { name: "ELBSecurityPolicy-FS-1-2-2019-08", protocols: V12, groups: FS },
    SslPolicy {
        name: "ELBSecurityPolicy-FS-1-2-Res-2019-08",
        protocols: V12,
        groups: &[ECDHE_GCM, ECDHE_SHA2],
    },
    SslPolicy {
        name: "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        protocols: V12,
        groups: &[ECDHE_GCM],
    },
    SslPolicy { name: "ELBSecurityPolicy-2015-05", protocols: V10_12, groups: LEGACY },
];

/// A predefined policy by name.
pub fn ssl_policy(name: &str) -> Option<&'static SslPolicy> {
    SSL_POLICIES.iter().find(|p| p.name == name)
}

/// ELBv2's default quotas per account and region, as DescribeAccountLimits names them.
pub const ACCOUNT_LIMITS: &[(&str, u32)] = &[
    ("application-load-balancers", 50),
    ("condition-values-per-alb-rule", 5),
    ("condition-wildcards-per-alb-rule", 5),
    ("gateway-load-balancers", 100),
    ("gateway-load-balancers-per-vpc", 100),
    ("geneve-target-groups", 100),
    ("listeners-per-application-load-balancer", 50),
    ("listeners-per-network-load-balancer", 50),
    ("network-load-balancer-enis-per-vpc", 1200),
    ("network-load-balancers", 50),
    ("rules-per-application-load-balancer", 100),
    ("target-groups", 3000),
    ("target-groups-per-action-on-application-load-balancer", 5),
    ("target-groups-per-action-on-network-load-balancer", 1),
    ("target-groups-per-application-load-balancer", 100),
    ("targets-per-application-load-balancer", 1000),
    ("targets-per-availability-zone-per-gateway-load-balancer", 300),
    ("targets-per-availability-zone-per-network-load-balancer", 500),
    ("targets-per-network-load-balancer", 3000),
];

/// One default quota by its DescribeAccountLimits name (0 when unknown).
pub fn limit(name: &str) -> u32 {
    ACCOUNT_LIMITS.iter().find(|(n, _)| *n == name).map_or(0, |(_, v)| *v)
}

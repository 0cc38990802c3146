//! Resource ids: `vpc-0a1b2c3d4e5f67890` — a prefix and seventeen hex digits, as AWS issues them.

/// A fresh id with AWS's long form.
pub fn new_id(prefix: &str) -> String {
    let n = fastrand::u128(..);
    format!("{prefix}-{:017x}", n & ((1u128 << 68) - 1))
}

/// Whether `id` has the shape `<prefix>-<8 or 17 lower-case letters or digits>`: AWS's ids are
/// hex, but it calls `tgw-abcdefghij0123456` not found rather than malformed (moto's
/// AWS-verified CreateVpnConnection test), so only the length and the alphabet are checked.
/// The PrivateLink family checks no length: AWS's own refusal says only "the Id may only
/// contain lowercase alphanumeric characters and a single dash" (see `kinds::Kind`).
pub fn is_well_formed(prefix: &str, id: &str) -> bool {
    let any_length = is_private_link(prefix);
    id.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('-')).is_some_and(|tail| {
        (tail.len() == 8 || tail.len() == 17 || (any_length && !tail.is_empty()))
            && tail.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    })
}

/// Endpoints and endpoint services (`vpce-…`, `vpce-svc-…`).
pub fn is_private_link(prefix: &str) -> bool {
    prefix == "vpce" || prefix == "vpce-svc"
}

/// The prefix of an id (`vpc` of `vpc-0abc…`).
pub fn prefix_of(id: &str) -> &str {
    id.rsplit_once('-').map_or(id, |(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_well_formed() {
        let id = new_id("vpc");
        assert!(is_well_formed("vpc", &id), "{id}");
        assert_eq!(id.len(), 21);
        assert!(is_well_formed("subnet", "subnet-12345678"));
        assert!(!is_well_formed("vpc", "vpc-xyz"));
        assert!(!is_well_formed("vpc", "subnet-12345678"));
        assert!(is_well_formed("vpce-svc", "vpce-svc-unknown"));
        assert!(!is_well_formed("vpce", "vpce-svc-unknown"));
        assert!(!is_well_formed("vpce", "vpce-"));
        assert_eq!(prefix_of("rtbassoc-0123"), "rtbassoc");
        assert_eq!(prefix_of("eigw-0123"), "eigw");
        assert_eq!(prefix_of("tgw-attach-0123"), "tgw-attach");
    }
}

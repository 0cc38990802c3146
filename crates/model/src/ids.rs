//! Resource ids: `vpc-0a1b2c3d4e5f67890` — a prefix and seventeen hex digits, as AWS issues them.

/// A fresh id with AWS's long form.
pub fn new_id(prefix: &str) -> String {
    let n = fastrand::u128(..);
    format!("{prefix}-{:017x}", n & ((1u128 << 68) - 1))
}

/// Whether `id` has the shape `<prefix>-<8 or 17 hex digits>`.
pub fn is_well_formed(prefix: &str, id: &str) -> bool {
    id.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('-')).is_some_and(|hex| {
        (hex.len() == 8 || hex.len() == 17) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
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
        assert_eq!(prefix_of("rtbassoc-0123"), "rtbassoc");
        assert_eq!(prefix_of("eigw-0123"), "eigw");
    }
}

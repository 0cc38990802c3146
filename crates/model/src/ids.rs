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
/// contain lowercase alphanumeric characters and a single dash" (see `lookup::Kind`).
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

/// The resource type an EC2 ARN names for ids of this prefix (`arn:…:<type>/<id>`), from the
/// registry of kinds.
pub fn arn_resource_type(prefix: &str) -> Option<&'static str> {
    crate::lookup::by_prefix(prefix).and_then(|k| k.resource_type)
}

/// The id an EC2 ARN names (`arn:aws:ec2:us-east-1:123456789012:instance/i-0abc…` →
/// (region, account, `i-0abc…`)); `None` when `text` is not such an ARN.
pub fn parse_ec2_arn(text: &str) -> Option<(&str, &str, &str)> {
    let rest = text.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_partition, service) = (parts.next()?, parts.next()?);
    let (region, account, resource) = (parts.next()?, parts.next()?, parts.next()?);
    if service != "ec2" {
        return None;
    }
    let (kind, id) = resource.split_once('/')?;
    (arn_resource_type(prefix_of(id)) == Some(kind)).then_some((region, account, id))
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

    #[test]
    fn arns_name_ids() {
        let arn = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0";
        assert_eq!(parse_ec2_arn(arn), Some(("us-east-1", "123456789012", "i-0123456789abcdef0")));
        assert_eq!(parse_ec2_arn("arn:aws:ec2:us-east-1:1:vpc/i-0123"), None);
        assert_eq!(parse_ec2_arn("i-0123"), None);
        assert_eq!(arn_resource_type("eni"), Some("network-interface"));
    }
}

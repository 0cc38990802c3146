//! Prefix lists: named sets of CIDR blocks that routes and security group rules can refer to.
//!
//! The AWS-managed lists of each region (S3, DynamoDB, CloudFront's origin-facing servers) are
//! static data: the same in every account, with ids derived from their names so they never
//! change between runs. Customer-managed lists come with a later issue.

use crate::cidr::Ipv4Cidr;

/// An AWS-managed prefix list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPrefixList {
    pub id: String,
    pub name: String,
    pub address_family: &'static str,
    pub cidrs: Vec<Ipv4Cidr>,
}

/// The owner AWS reports for its own lists.
pub const AWS_OWNER: &str = "AWS";

/// `pl-` and eight hex digits of the FNV-1a hash of the list's name.
pub fn id_for(name: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("pl-{h:08x}")
}

/// A second, independent hash of a name, for picking per-region address ranges.
fn spread(name: &str) -> u32 {
    name.bytes().fold(5381u32, |h, b| h.wrapping_mul(33) ^ u32::from(b))
}

fn cidrs(list: &[&str]) -> Vec<Ipv4Cidr> {
    list.iter().filter_map(|c| Ipv4Cidr::parse(c, true)).collect()
}

/// Blocks of the S3 list: the published us-east-1 ranges there, elsewhere blocks drawn from
/// Amazon's 52.92.0.0/14 and 3.5.0.0/16 space by region.
fn s3_cidrs(region: &str) -> Vec<Ipv4Cidr> {
    if region == "us-east-1" {
        return cidrs(&[
            "3.5.0.0/19",
            "16.182.0.0/16",
            "18.34.0.0/19",
            "52.216.0.0/15",
            "54.231.0.0/16",
        ]);
    }
    let n = spread(region);
    let a = format!("52.{}.{}.0/22", 92 + (n % 4), ((n >> 2) % 64) * 4);
    let b = format!("3.5.{}.0/21", ((n >> 8) % 32) * 8);
    let c = format!("16.{}.0.0/16", 12 + ((n >> 13) % 16));
    cidrs(&[a.as_str(), b.as_str(), c.as_str()])
}

/// Blocks of the DynamoDB list, as for S3 but from 52.94.0.0/16 and 3.218.0.0/16.
fn dynamodb_cidrs(region: &str) -> Vec<Ipv4Cidr> {
    if region == "us-east-1" {
        return cidrs(&["3.218.180.0/22", "3.218.184.0/22", "52.94.0.0/22", "52.119.224.0/20"]);
    }
    let n = spread(region);
    let a = format!("52.94.{}.0/22", 8 + ((n % 60) * 4));
    let b = format!("3.218.{}.0/22", ((n >> 6) % 44) * 4);
    cidrs(&[a.as_str(), b.as_str()])
}

/// CloudFront's origin-facing servers (a global list).
const CLOUDFRONT_ORIGIN_FACING: &[&str] = &[
    "13.32.0.0/15",
    "18.160.0.0/15",
    "54.192.0.0/16",
    "99.86.0.0/16",
    "108.156.0.0/14",
    "130.176.0.0/17",
    "204.246.168.0/22",
    "205.251.252.0/23",
];

/// The AWS-managed prefix lists visible in `region`, in id order.
pub fn aws_managed(region: &str) -> Vec<ManagedPrefixList> {
    let make = |name: String, cidrs: Vec<Ipv4Cidr>| ManagedPrefixList {
        id: id_for(&name),
        name,
        address_family: "IPv4",
        cidrs,
    };
    let mut lists = vec![
        make(format!("com.amazonaws.{region}.s3"), s3_cidrs(region)),
        make(format!("com.amazonaws.{region}.dynamodb"), dynamodb_cidrs(region)),
        make(
            "com.amazonaws.global.cloudfront.origin-facing".into(),
            cidrs(CLOUDFRONT_ORIGIN_FACING),
        ),
    ];
    lists.sort_by(|a, b| a.id.cmp(&b.id));
    lists
}

/// One AWS-managed list of `region` by id.
pub fn find_aws_managed(region: &str, id: &str) -> Option<ManagedPrefixList> {
    aws_managed(region).into_iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(id_for("com.amazonaws.us-east-1.s3"), id_for("com.amazonaws.us-east-1.s3"));
        assert!(crate::ids::is_well_formed("pl", &id_for("x")));
        let east = aws_managed("us-east-1");
        let west = aws_managed("us-west-2");
        assert_eq!(east.len(), 3);
        assert!(east.iter().all(|p| !p.cidrs.is_empty()));
        // Regional lists differ by region; the CloudFront list is the same everywhere.
        let ids = |l: &[ManagedPrefixList]| l.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
        let shared: Vec<String> =
            ids(&east).into_iter().filter(|id| ids(&west).contains(id)).collect();
        assert_eq!(shared, vec![id_for("com.amazonaws.global.cloudfront.origin-facing")]);
        assert!(find_aws_managed("eu-west-1", &id_for("com.amazonaws.eu-west-1.s3")).is_some());
        for region in ["eu-west-1", "ap-south-1", "sa-east-1"] {
            assert!(aws_managed(region).iter().all(|p| !p.cidrs.is_empty()), "{region}");
        }
    }
}

//! The commercial AWS regions, their availability zones and zone ids.
//!
//! The letter-to-zone-id mapping is per account on AWS; vpclab uses one fixed mapping for every
//! account, the usual one for the region.

/// One region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub name: &'static str,
    /// Prefix of its zone ids (`use1` → `use1-az1`).
    pub zone_prefix: &'static str,
    /// Zone letters with their zone-id numbers, in AZ order.
    pub zones: &'static [(char, u8)],
    /// Whether accounts must opt in (reported as `opted-in`, since every region is enabled here).
    pub opt_in: bool,
}

/// One availability zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    pub id: String,
    pub region: &'static str,
}

const fn r(
    name: &'static str,
    zone_prefix: &'static str,
    zones: &'static [(char, u8)],
    opt_in: bool,
) -> Region {
    Region { name, zone_prefix, zones, opt_in }
}

const ABC: &[(char, u8)] = &[('a', 1), ('b', 2), ('c', 3)];

pub const REGIONS: &[Region] = &[
    r("us-east-1", "use1", &[('a', 1), ('b', 2), ('c', 4), ('d', 6), ('e', 3), ('f', 5)], false),
    r("us-east-2", "use2", ABC, false),
    r("us-west-1", "usw1", &[('a', 1), ('c', 3)], false),
    r("us-west-2", "usw2", &[('a', 1), ('b', 2), ('c', 3), ('d', 4)], false),
    r("af-south-1", "afs1", ABC, true),
    r("ap-east-1", "ape1", ABC, true),
    r("ap-east-2", "ape2", ABC, true),
    r("ap-south-1", "aps1", &[('a', 1), ('b', 3), ('c', 2)], false),
    r("ap-south-2", "aps2", ABC, true),
    r("ap-southeast-1", "apse1", ABC, false),
    r("ap-southeast-2", "apse2", ABC, false),
    r("ap-southeast-3", "apse3", ABC, true),
    r("ap-southeast-4", "apse4", ABC, true),
    r("ap-southeast-5", "apse5", ABC, true),
    r("ap-southeast-7", "apse7", ABC, true),
    r("ap-northeast-1", "apne1", &[('a', 4), ('c', 1), ('d', 2)], false),
    r("ap-northeast-2", "apne2", &[('a', 1), ('b', 2), ('c', 3), ('d', 4)], false),
    r("ap-northeast-3", "apne3", ABC, false),
    r("ca-central-1", "cac1", &[('a', 1), ('b', 2), ('d', 4)], false),
    r("ca-west-1", "caw1", ABC, true),
    r("eu-central-1", "euc1", ABC, false),
    r("eu-central-2", "euc2", ABC, true),
    r("eu-west-1", "euw1", ABC, false),
    r("eu-west-2", "euw2", ABC, false),
    r("eu-west-3", "euw3", ABC, false),
    r("eu-south-1", "eus1", ABC, true),
    r("eu-south-2", "eus2", ABC, true),
    r("eu-north-1", "eun1", ABC, false),
    r("il-central-1", "ilc1", ABC, true),
    r("me-south-1", "mes1", ABC, true),
    r("me-central-1", "mec1", ABC, true),
    r("mx-central-1", "mxc1", ABC, true),
    r("sa-east-1", "sae1", ABC, false),
];

pub fn find(name: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.name == name)
}

impl Region {
    pub fn zones(&self) -> Vec<Zone> {
        self.zones
            .iter()
            .map(|(letter, n)| Zone {
                name: format!("{}{letter}", self.name),
                id: format!("{}-az{n}", self.zone_prefix),
                region: self.name,
            })
            .collect()
    }

    /// The zone named `name` (`us-east-1a`) or with zone id `name` (`use1-az1`).
    pub fn zone(&self, name: &str) -> Option<Zone> {
        self.zones().into_iter().find(|z| z.name == name || z.id == name)
    }

    /// The public endpoint host of a service in this region.
    pub fn endpoint(&self, service: &str) -> String {
        format!("{service}.{}.amazonaws.com", self.name)
    }

    /// The domain of private DNS names of instances (`ec2.internal` in us-east-1).
    pub fn internal_domain(&self) -> String {
        if self.name == "us-east-1" {
            "ec2.internal".to_owned()
        } else {
            format!("{}.compute.internal", self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_have_names_and_ids() {
        let r = find("us-east-1").unwrap();
        let z = r.zones();
        assert_eq!(z.len(), 6);
        assert_eq!((z[0].name.as_str(), z[0].id.as_str()), ("us-east-1a", "use1-az1"));
        assert_eq!(r.zone("use1-az4").unwrap().name, "us-east-1c");
        assert!(find("us-east-9").is_none());
        assert_eq!(find("eu-west-1").unwrap().internal_domain(), "eu-west-1.compute.internal");
    }
}

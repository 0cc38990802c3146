//! CIDR collections for IP-based routing: named locations, each a list of CIDR blocks.

use super::record::RoutingPolicy;
use super::{Change, Page, invalid_input, new_uuid, page_after};
use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::error::{Error, Result};
pub use crate::types::route53::cidr_collection::CidrCollection;
use crate::world::World;
use codes::Route53;
use std::collections::BTreeMap;

impl CidrCollection {
    /// `arn:aws:route53:::cidrcollection/<id>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:route53:::cidrcollection/{}", self.id)
    }
}

/// One change of ChangeCidrCollection: `PUT` (true) or `DELETE_IF_EXISTS` blocks at a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrChange {
    pub put: bool,
    pub location_name: String,
    pub cidrs: Vec<String>,
}

fn no_such_collection(id: &str) -> Error {
    Error::new(
        Route53::NoSuchCidrCollectionException,
        format!("The CIDR collection with ID {id} does not exist."),
    )
}

/// A block IP-based routing accepts: IPv4 up to /24, IPv6 up to /48, written canonically.
fn canonical_block(block: &str) -> Result<String> {
    let bad = || invalid_input(format!("The CIDR block {block} is not valid"));
    if let Some(c) = Ipv4Cidr::parse(block, false) {
        return if c.prefix_len() <= 24 { Ok(c.to_string()) } else { Err(bad()) };
    }
    match Ipv6Cidr::parse(block, false) {
        Some(c) if c.prefix_len() <= 48 => Ok(c.to_string()),
        _ => Err(bad()),
    }
}

fn check_location_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 16
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok { Ok(()) } else { Err(invalid_input(format!("The location name {name} is not valid"))) }
}

impl World {
    fn r53_collection(&self, account: &str, id: &str) -> Result<&CidrCollection> {
        self.r53_cidr_collections
            .get(id)
            .filter(|c| c.account == account)
            .ok_or_else(|| no_such_collection(id))
    }

    /// Whether a record set routes by a location of the collection (`None`: any location).
    fn r53_collection_in_use(&self, id: &str, location: Option<&str>) -> bool {
        self.r53_record_sets.values().any(|r| match &r.policy {
            RoutingPolicy::Cidr { collection_id, location_name } => {
                collection_id == id && location.is_none_or(|l| l == location_name)
            }
            _ => false,
        })
    }

    /// CreateCidrCollection.
    pub fn create_cidr_collection(
        &mut self,
        account: &str,
        name: &str,
        caller_reference: &str,
    ) -> Result<CidrCollection> {
        let name_ok = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !name_ok {
            return Err(invalid_input(format!("The collection name {name} is not valid")));
        }
        if caller_reference.is_empty() || caller_reference.len() > 64 {
            return Err(invalid_input("CallerReference must be between 1 and 64 characters"));
        }
        if self.r53_cidr_collections.values().any(|c| {
            c.account == account && (c.name == name || c.caller_reference == caller_reference)
        }) {
            return Err(Error::new(
                Route53::CidrCollectionAlreadyExistsException,
                format!(
                    "A CIDR collection with the name {name} or caller reference {caller_reference} already exists"
                ),
            ));
        }
        let c = CidrCollection {
            id: new_uuid(),
            account: account.to_owned(),
            name: name.to_owned(),
            caller_reference: caller_reference.to_owned(),
            version: 1,
            locations: BTreeMap::new(),
        };
        self.r53_cidr_collections.insert(c.id.clone(), c.clone());
        Ok(c)
    }

    /// ChangeCidrCollection: all changes or none; `version` must be the current one when given.
    pub fn change_cidr_collection(
        &mut self,
        account: &str,
        id: &str,
        version: Option<i64>,
        changes: Vec<CidrChange>,
        now: i64,
    ) -> Result<Change> {
        let mut c = self.r53_collection(account, id)?.clone();
        if let Some(v) = version.filter(|v| *v != c.version) {
            return Err(Error::new(
                Route53::CidrCollectionVersionMismatchException,
                format!(
                    "The CIDR collection version {v} does not match the current version {}",
                    c.version
                ),
            ));
        }
        if changes.is_empty() || changes.len() > 1000 {
            return Err(invalid_input(
                "A ChangeCidrCollection request must contain between 1 and 1000 changes",
            ));
        }
        for change in changes {
            check_location_name(&change.location_name)?;
            let blocks: Vec<String> =
                change.cidrs.iter().map(|b| canonical_block(b)).collect::<Result<_>>()?;
            if change.put {
                let entry = c.locations.entry(change.location_name).or_default();
                entry.extend(blocks);
                entry.sort();
                entry.dedup();
            } else if let Some(entry) = c.locations.get_mut(&change.location_name) {
                entry.retain(|b| !blocks.contains(b));
                if entry.is_empty() {
                    if self.r53_collection_in_use(&c.id, Some(&change.location_name)) {
                        return Err(Error::new(
                            Route53::CidrBlockInUseException,
                            format!(
                                "The location {} is used by a record set and must keep at least one block",
                                change.location_name
                            ),
                        ));
                    }
                    c.locations.remove(&change.location_name);
                }
            }
        }
        c.version += 1;
        self.r53_cidr_collections.insert(c.id.clone(), c);
        Ok(self.r53_record_change(account, None, now))
    }

    /// ListCidrCollections.
    pub fn list_cidr_collections(
        &self,
        account: &str,
        next_token: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page<&CidrCollection>> {
        let items = self.r53_cidr_collections.values().filter(|c| c.account == account);
        Ok(page_after(items, |c| c.id.clone(), next_token, max_results, 100))
    }

    /// ListCidrLocations: location names of a collection.
    pub fn list_cidr_locations(
        &self,
        account: &str,
        id: &str,
        next_token: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page<String>> {
        let c = self.r53_collection(account, id)?;
        Ok(page_after(c.locations.keys().cloned(), String::clone, next_token, max_results, 100))
    }

    /// ListCidrBlocks: (location, block) pairs, optionally of one location.
    pub fn list_cidr_blocks(
        &self,
        account: &str,
        id: &str,
        location_name: Option<&str>,
        next_token: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page<(String, String)>> {
        let c = self.r53_collection(account, id)?;
        if let Some(l) = location_name.filter(|l| !c.locations.contains_key(*l)) {
            return Err(Error::new(
                Route53::NoSuchCidrLocationException,
                format!("The CIDR location {l} does not exist in collection {id}"),
            ));
        }
        let pairs = c
            .locations
            .iter()
            .filter(|(l, _)| location_name.is_none_or(|n| n == l.as_str()))
            .flat_map(|(l, blocks)| blocks.iter().map(move |b| (l.clone(), b.clone())));
        Ok(page_after(pairs, |(l, b)| format!("{l} {b}"), next_token, max_results, 100))
    }

    /// DeleteCidrCollection: refused while it has locations or a record set uses it.
    pub fn delete_cidr_collection(&mut self, account: &str, id: &str) -> Result<()> {
        let c = self.r53_collection(account, id)?;
        if !c.locations.is_empty() || self.r53_collection_in_use(id, None) {
            return Err(Error::new(
                Route53::CidrCollectionInUseException,
                format!("The CIDR collection {id} is in use and cannot be deleted"),
            ));
        }
        self.r53_cidr_collections.remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "123456789012";

    #[test]
    fn collections_change_by_version_and_list() {
        let mut w = World::default();
        let c = w.create_cidr_collection(ACCOUNT, "offices", "r1").unwrap();
        assert_eq!(
            w.create_cidr_collection(ACCOUNT, "offices", "r2").unwrap_err().code,
            "CidrCollectionAlreadyExistsException"
        );
        let put = |l: &str, b: &[&str]| CidrChange {
            put: true,
            location_name: l.into(),
            cidrs: b.iter().map(|s| (*s).to_owned()).collect(),
        };
        w.change_cidr_collection(
            ACCOUNT,
            &c.id,
            Some(1),
            vec![put("paris", &["192.0.2.0/24"]), put("oslo", &["2001:db8::/48"])],
            1,
        )
        .unwrap();
        let e = w
            .change_cidr_collection(
                ACCOUNT,
                &c.id,
                Some(1),
                vec![put("x", &["198.51.100.0/24"])],
                1,
            )
            .unwrap_err();
        assert_eq!(e.code, "CidrCollectionVersionMismatchException");
        assert_eq!(
            w.change_cidr_collection(ACCOUNT, &c.id, None, vec![put("x", &["10.0.0.0/25"])], 1)
                .unwrap_err()
                .code,
            "InvalidInput"
        );
        let locations = w.list_cidr_locations(ACCOUNT, &c.id, None, None).unwrap();
        assert_eq!(locations.items, ["oslo", "paris"]);
        let blocks = w.list_cidr_blocks(ACCOUNT, &c.id, Some("paris"), None, None).unwrap();
        assert_eq!(blocks.items, [("paris".to_owned(), "192.0.2.0/24".to_owned())]);
        assert_eq!(
            w.delete_cidr_collection(ACCOUNT, &c.id).unwrap_err().code,
            "CidrCollectionInUseException"
        );
        let del = |l: &str, b: &str| CidrChange {
            put: false,
            location_name: l.into(),
            cidrs: vec![b.into()],
        };
        w.change_cidr_collection(
            ACCOUNT,
            &c.id,
            Some(2),
            vec![del("paris", "192.0.2.0/24"), del("oslo", "2001:db8::/48")],
            1,
        )
        .unwrap();
        w.delete_cidr_collection(ACCOUNT, &c.id).unwrap();
    }
}

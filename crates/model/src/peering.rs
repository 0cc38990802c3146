//! VPC peering connections: a request from a VPC to another (of any account, in any region),
//! accepted or rejected by the other side's owner, deleted by either.
//!
//! One row holds both sides: the requester's scope is the row's owner, the accepter's scope is
//! `accepter`. Both sides see it (DescribeVpcPeeringConnections in either scope), and each side
//! may route to it. Time enters only through the `now` the caller gives: a request nobody
//! answered expires after seven days, and a closed connection (deleted, rejected, failed) stays
//! visible for two hours, as on AWS.

use crate::error::{Error, Result};
use crate::kinds;
pub use crate::types::ec2::peering::*;
use crate::types::ec2::{Tags, Vpc};
use crate::world::{Scope, World};
use codes::Ec2;

/// Active peering connections per VPC (AWS's default quota).
pub const ACTIVE_PER_VPC: usize = 50;
/// Pending requests an account may have outstanding (AWS's default quota).
pub const OUTSTANDING_PER_ACCOUNT: usize = 25;
/// The status message of a connection that could not be set up.
pub const FAILED_MESSAGE: &str =
    "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range";

fn state_transition(id: &str, from: PeeringState, to: &str) -> Error {
    Error::new(
        Ec2::InvalidStateTransition,
        format!(
            "Invalid state transition for {id}, attempted to transition from {} to {to}",
            from.code()
        ),
    )
}

fn not_permitted(scope: &Scope, id: &str, verb: &str) -> Error {
    Error::new(
        Ec2::OperationNotPermitted,
        format!("User ({}) cannot {verb} peering {id}", scope.account),
    )
}

/// Whether any IPv4 or IPv6 block of `a` overlaps one of `b`.
fn overlapping(a: &Vpc, b: &Vpc) -> bool {
    a.cidr_blocks.iter().any(|x| b.cidr_blocks.iter().any(|y| x.cidr.overlaps(y.cidr)))
        || a.ipv6_cidr_blocks
            .iter()
            .any(|x| b.ipv6_cidr_blocks.iter().any(|y| x.cidr.overlaps(y.cidr)))
}

impl World {
    /// CreateVpcPeeringConnection. The answer comes back at once; a request that cannot be set
    /// up (the peer VPC is not where the request says, or the address ranges overlap) is kept
    /// with the status `failed`, as AWS does, rather than refused.
    pub fn create_vpc_peering_connection(
        &mut self,
        scope: &Scope,
        req: NewPeering,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        let requester = self.vpcs.find(&kinds::VPC, scope, &req.vpc_id)?.clone();
        let peer_vpc_id =
            req.peer_vpc_id.clone().ok_or_else(|| Error::missing_parameter("peerVpcId"))?;
        kinds::VPC.check_format(&peer_vpc_id)?;
        let account = req.peer_owner_id.clone().unwrap_or_else(|| scope.account.clone());
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_parameter_value(format!(
                "Invalid value '{account}' for peerOwnerId. It must be a 12-digit AWS account ID."
            )));
        }
        let region = req.peer_region.clone().unwrap_or_else(|| scope.region.clone());
        let accepter = Scope::new(account, region);
        accepter.region().map_err(|_| {
            Error::invalid_parameter_value(format!(
                "Value ({}) for parameter peerRegion is invalid.",
                accepter.region
            ))
        })?;
        if let Some(existing) = self.vpc_peering_connections.values().find(|p| {
            matches!(p.state_at(now), PeeringState::PendingAcceptance | PeeringState::Active)
                && p.peer_of(&requester.id) == Some(peer_vpc_id.as_str())
        }) {
            return Err(Error::new(
                Ec2::VpcPeeringConnectionAlreadyExists,
                format!(
                    "A VPC peering connection already exists between {} and {peer_vpc_id} ({}).",
                    requester.id, existing.id
                ),
            ));
        }
        let outstanding = self
            .vpc_peering_connections
            .in_scope(scope)
            .filter(|p| p.state_at(now) == PeeringState::PendingAcceptance)
            .count();
        if outstanding >= OUTSTANDING_PER_ACCOUNT {
            return Err(Error::new(
                Ec2::OutstandingVpcPeeringConnectionLimitExceeded,
                "You have reached the limit for outstanding VPC peering connection requests.",
            ));
        }
        let peer = self.vpcs.get(&peer_vpc_id).filter(|v| v.owner == accepter);
        let (state, message, closed) = match peer {
            Some(peer) if peer.id != requester.id && !overlapping(&requester, peer) => (
                PeeringState::PendingAcceptance,
                format!("Pending Acceptance by {}", accepter.account),
                None,
            ),
            _ => (PeeringState::Failed, FAILED_MESSAGE.to_owned(), Some(now)),
        };
        let id = self.fresh_id("pcx");
        self.vpc_peering_connections.insert(
            id.clone(),
            VpcPeeringConnection {
                id: id.clone(),
                owner: scope.clone(),
                requester_vpc_id: requester.id,
                accepter,
                accepter_vpc_id: peer_vpc_id,
                state,
                message,
                requester_options: PeeringOptions::default(),
                accepter_options: PeeringOptions::default(),
                created: now,
                closed,
                tags: req.tags.into_iter().collect(),
                accepter_tags: Tags::new(),
            },
        );
        Ok(id)
    }

    /// The connection `id` as `scope` (either side) sees it at `now`.
    pub fn find_vpc_peering_connection(
        &self,
        scope: &Scope,
        id: &str,
        now: i64,
    ) -> Result<&VpcPeeringConnection> {
        let kind = &kinds::VPC_PEERING_CONNECTION;
        kind.check_format(id)?;
        self.vpc_peering_connections
            .get(id)
            .filter(|p| p.visible_to(scope, now))
            .ok_or_else(|| kind.not_found(id))
    }

    fn peering_mut(&mut self, id: &str) -> Result<&mut VpcPeeringConnection> {
        self.vpc_peering_connections
            .get_mut(id)
            .ok_or_else(|| kinds::VPC_PEERING_CONNECTION.not_found(id))
    }

    /// Only the accepter's account, in the accepter's region, answers a request.
    fn check_answerer(&self, scope: &Scope, p: &VpcPeeringConnection, verb: &str) -> Result<()> {
        if &p.accepter == scope {
            return Ok(());
        }
        if p.accepter.account != scope.account {
            return Err(not_permitted(scope, &p.id, verb));
        }
        let must = if verb == "accept" { "accepted" } else { "accepted or rejected" };
        Err(Error::new(
            Ec2::OperationNotPermitted,
            format!(
                "Incorrect region ({}) specified for this request. VPC peering connection {} must be {must} in region {}",
                scope.region, p.id, p.accepter.region
            ),
        ))
    }

    /// AcceptVpcPeeringConnection: by the accepter, while pending; the connection is active.
    pub fn accept_vpc_peering_connection(
        &mut self,
        scope: &Scope,
        id: &str,
        now: i64,
    ) -> Result<()> {
        let p = self.find_vpc_peering_connection(scope, id, now)?.clone();
        self.check_answerer(scope, &p, "accept")?;
        let state = p.state_at(now);
        if state != PeeringState::PendingAcceptance {
            return Err(state_transition(id, state, "active"));
        }
        for vpc in [&p.requester_vpc_id, &p.accepter_vpc_id] {
            let active = self
                .vpc_peering_connections
                .values()
                .filter(|o| o.is_active() && o.peer_of(vpc).is_some())
                .count();
            if active >= ACTIVE_PER_VPC {
                return Err(Error::new(
                    Ec2::ActiveVpcPeeringConnectionPerVpcLimitExceeded,
                    format!(
                        "The VPC {vpc} has reached the limit of active VPC peering connections."
                    ),
                ));
            }
        }
        let p = self.peering_mut(id)?;
        p.state = PeeringState::Active;
        p.message = "Active".into();
        Ok(())
    }

    /// RejectVpcPeeringConnection: by the accepter, while pending.
    pub fn reject_vpc_peering_connection(
        &mut self,
        scope: &Scope,
        id: &str,
        now: i64,
    ) -> Result<()> {
        let p = self.find_vpc_peering_connection(scope, id, now)?.clone();
        self.check_answerer(scope, &p, "reject")?;
        let state = p.state_at(now);
        if state != PeeringState::PendingAcceptance {
            return Err(state_transition(id, state, "rejected"));
        }
        let p = self.peering_mut(id)?;
        p.state = PeeringState::Rejected;
        p.message = "Inactive".into();
        p.closed = Some(now);
        Ok(())
    }

    /// DeleteVpcPeeringConnection: either side while active, the requester while pending;
    /// never once failed, rejected, expired or deleted. Routes to it become blackholes.
    pub fn delete_vpc_peering_connection(
        &mut self,
        scope: &Scope,
        id: &str,
        now: i64,
    ) -> Result<()> {
        let p = self.find_vpc_peering_connection(scope, id, now)?.clone();
        let state = p.state_at(now);
        match state {
            PeeringState::Active => {}
            PeeringState::PendingAcceptance | PeeringState::InitiatingRequest
                if &p.owner == scope => {}
            PeeringState::PendingAcceptance | PeeringState::InitiatingRequest => {
                return Err(not_permitted(scope, id, "delete"));
            }
            _ => return Err(state_transition(id, state, "deleting")),
        }
        let p = self.peering_mut(id)?;
        p.state = PeeringState::Deleted;
        p.message = format!("Deleted by {}", scope.account);
        p.closed = Some(now);
        Ok(())
    }

    /// ModifyVpcPeeringConnectionOptions: only on an active connection; each side's options
    /// by that side's owner. Returns the options in force afterwards (accepter, requester).
    pub fn modify_vpc_peering_connection_options(
        &mut self,
        scope: &Scope,
        id: &str,
        accepter: Option<OptionsChange>,
        requester: Option<OptionsChange>,
        now: i64,
    ) -> Result<(PeeringOptions, PeeringOptions)> {
        let p = self.find_vpc_peering_connection(scope, id, now)?.clone();
        if !p.is_active() {
            return Err(Error::new(
                Ec2::OperationNotPermitted,
                format!(
                    "Peering {id} is not active. Peering options can be added only to active peerings."
                ),
            ));
        }
        if accepter.is_none() && requester.is_none() {
            return Err(Error::missing_parameter(
                "AccepterPeeringConnectionOptions or RequesterPeeringConnectionOptions",
            ));
        }
        let cross_region = p.owner.region != p.accepter.region;
        for (change, side) in [(&accepter, &p.accepter), (&requester, &p.owner)] {
            let Some(change) = change else { continue };
            if side.account != scope.account {
                return Err(not_permitted(scope, id, "modify the options of"));
            }
            let classic = change.allow_egress_from_local_classic_link_to_remote_vpc == Some(true)
                || change.allow_egress_from_local_vpc_to_remote_classic_link == Some(true);
            if classic && cross_region {
                return Err(Error::new(
                    Ec2::OperationNotPermitted,
                    "ClassicLink options are not supported for inter-region VPC peering connections.",
                ));
            }
        }
        let p = self.peering_mut(id)?;
        if let Some(c) = accepter {
            c.apply(&mut p.accepter_options);
        }
        if let Some(c) = requester {
            c.apply(&mut p.requester_options);
        }
        Ok((p.accepter_options, p.requester_options))
    }

    /// The active connection joining the VPCs `a` and `b`, if any.
    pub fn active_peering_between(&self, a: &str, b: &str) -> Option<&VpcPeeringConnection> {
        self.vpc_peering_connections.values().find(|p| p.is_active() && p.peer_of(a) == Some(b))
    }

    /// A VPC is going away: its open connections are deleted with it.
    pub(crate) fn close_peerings_of_vpc(&mut self, vpc: &str, by: &Scope) {
        let ids = self.vpc_peering_connections.ids_where(|p| {
            p.peer_of(vpc).is_some()
                && matches!(p.state, PeeringState::PendingAcceptance | PeeringState::Active)
        });
        for id in ids {
            if let Some(p) = self.vpc_peering_connections.get_mut(&id) {
                p.state = PeeringState::Deleted;
                p.message = format!("Deleted by {}", by.account);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vpc::NewVpc;

    const NOW: i64 = 1_700_000_000_000;

    fn vpc(w: &mut World, scope: &Scope, cidr: &str) -> String {
        w.ensure_scope(scope).unwrap();
        w.create_vpc(scope, NewVpc { cidr: Some(cidr.into()), ..Default::default() }).unwrap()
    }

    fn request(vpc: &str, peer: &str) -> NewPeering {
        NewPeering { vpc_id: vpc.into(), peer_vpc_id: Some(peer.into()), ..Default::default() }
    }

    #[test]
    fn same_account_request_waits_for_acceptance_then_is_active() {
        let (mut w, scope, a) = crate::testkit::world_with_vpc();
        let b = vpc(&mut w, &scope, "10.1.0.0/16");
        let id = w.create_vpc_peering_connection(&scope, request(&a, &b), NOW).unwrap();
        let p = w.find_vpc_peering_connection(&scope, &id, NOW).unwrap();
        assert_eq!(p.state, PeeringState::PendingAcceptance);
        assert_eq!(p.message, "Pending Acceptance by 123456789012");
        assert_eq!(
            w.create_vpc_peering_connection(&scope, request(&b, &a), NOW).unwrap_err().code,
            "VpcPeeringConnectionAlreadyExists"
        );
        w.accept_vpc_peering_connection(&scope, &id, NOW).unwrap();
        assert!(w.active_peering_between(&b, &a).is_some());
        assert_eq!(
            w.accept_vpc_peering_connection(&scope, &id, NOW).unwrap_err().code,
            "InvalidStateTransition"
        );
        w.delete_vpc_peering_connection(&scope, &id, NOW).unwrap();
        let p = w.find_vpc_peering_connection(&scope, &id, NOW).unwrap();
        assert_eq!(
            (p.state, p.message.as_str()),
            (PeeringState::Deleted, "Deleted by 123456789012")
        );
        let err = w.delete_vpc_peering_connection(&scope, &id, NOW).unwrap_err();
        assert_eq!(err.code, "InvalidStateTransition");
        assert!(err.message.contains("from deleted to deleting"), "{}", err.message);
        // Closed connections fade after two hours.
        let later = NOW + CLOSED_VISIBLE_MS + 1;
        assert_eq!(
            w.find_vpc_peering_connection(&scope, &id, later).unwrap_err().code,
            "InvalidVpcPeeringConnectionID.NotFound"
        );
    }

    #[test]
    fn overlapping_ranges_or_a_missing_peer_fail() {
        let (mut w, scope, a) = crate::testkit::world_with_vpc();
        let b = vpc(&mut w, &scope, "10.0.128.0/17");
        let id = w.create_vpc_peering_connection(&scope, request(&a, &b), NOW).unwrap();
        let p = w.find_vpc_peering_connection(&scope, &id, NOW).unwrap();
        assert_eq!((p.state, p.message.as_str()), (PeeringState::Failed, FAILED_MESSAGE));
        assert_eq!(
            w.accept_vpc_peering_connection(&scope, &id, NOW).unwrap_err().code,
            "InvalidStateTransition"
        );
        assert_eq!(
            w.delete_vpc_peering_connection(&scope, &id, NOW).unwrap_err().code,
            "InvalidStateTransition"
        );
        let id = w
            .create_vpc_peering_connection(&scope, request(&a, "vpc-0123456789abcdef0"), NOW)
            .unwrap();
        assert_eq!(
            w.find_vpc_peering_connection(&scope, &id, NOW).unwrap().state,
            PeeringState::Failed
        );
        assert_eq!(
            w.create_vpc_peering_connection(&scope, request("vpc-0123456789abcdef0", &b), NOW)
                .unwrap_err()
                .code,
            "InvalidVpcID.NotFound"
        );
        assert_eq!(
            w.create_vpc_peering_connection(&scope, request(&a, "nope"), NOW).unwrap_err().code,
            "InvalidVpcID.Malformed"
        );
    }

    #[test]
    fn only_the_accepter_answers_in_its_region() {
        let (mut w, scope, a) = crate::testkit::world_with_vpc();
        let other = Scope::new("111122223333", "us-east-1");
        let b = vpc(&mut w, &other, "10.1.0.0/16");
        let mut req = request(&a, &b);
        req.peer_owner_id = Some(other.account.clone());
        let id = w.create_vpc_peering_connection(&scope, req, NOW).unwrap();
        // Both sides see it; only the accepter may accept or reject.
        assert!(w.find_vpc_peering_connection(&other, &id, NOW).is_ok());
        let err = w.accept_vpc_peering_connection(&scope, &id, NOW).unwrap_err();
        assert_eq!(err.code, "OperationNotPermitted");
        assert_eq!(
            w.delete_vpc_peering_connection(&other, &id, NOW).unwrap_err().code,
            "OperationNotPermitted"
        );
        w.accept_vpc_peering_connection(&other, &id, NOW).unwrap();
        assert_eq!(
            w.modify_vpc_peering_connection_options(
                &scope,
                &id,
                Some(OptionsChange {
                    allow_dns_resolution_from_remote_vpc: Some(true),
                    ..Default::default()
                }),
                None,
                NOW
            )
            .unwrap_err()
            .code,
            "OperationNotPermitted"
        );
        let (acc, req) = w
            .modify_vpc_peering_connection_options(
                &other,
                &id,
                Some(OptionsChange {
                    allow_dns_resolution_from_remote_vpc: Some(true),
                    ..Default::default()
                }),
                None,
                NOW,
            )
            .unwrap();
        assert!(
            acc.allow_dns_resolution_from_remote_vpc && !req.allow_dns_resolution_from_remote_vpc
        );
        w.delete_vpc_peering_connection(&other, &id, NOW).unwrap();

        // Cross-region, same account: accepted in the accepter's region only.
        let west = Scope::new("123456789012", "us-west-2");
        let c = vpc(&mut w, &west, "10.2.0.0/16");
        let mut req = request(&a, &c);
        req.peer_region = Some("us-west-2".into());
        let id = w.create_vpc_peering_connection(&scope, req, NOW).unwrap();
        let err = w.accept_vpc_peering_connection(&scope, &id, NOW).unwrap_err();
        assert!(err.message.contains("must be accepted in region us-west-2"), "{}", err.message);
        w.reject_vpc_peering_connection(&west, &id, NOW).unwrap();
        assert_eq!(
            w.find_vpc_peering_connection(&scope, &id, NOW).unwrap().state,
            PeeringState::Rejected
        );
    }

    #[test]
    fn routes_to_a_connection_are_checked_and_active_only_while_it_is() {
        use crate::route_table::{DestinationSpec, TargetSpec};
        let (mut w, scope, a) = crate::testkit::world_with_vpc();
        let b = vpc(&mut w, &scope, "10.1.0.0/16");
        let c = vpc(&mut w, &scope, "10.2.0.0/16");
        let id = w.create_vpc_peering_connection(&scope, request(&a, &b), NOW).unwrap();
        let to = TargetSpec { vpc_peering_connection_id: Some(id.clone()), ..Default::default() };
        let dest = DestinationSpec { cidr: Some("10.1.0.0/16".into()), ..Default::default() };
        let main = |w: &World, v: &str| w.vpcs.get(v).unwrap().main_route_table_id.clone();
        let (ta, tc) = (main(&w, &a), main(&w, &c));
        assert_eq!(
            w.create_route(&scope, &tc, &dest, &to).unwrap_err().code,
            "InvalidParameterValue",
            "a VPC that is not a side"
        );
        w.create_route(&scope, &ta, &dest, &to).unwrap();
        let state = |w: &World| {
            let t = w.route_tables.get(&ta).unwrap();
            let r = t.routes.iter().find(|r| r.destination.text() == "10.1.0.0/16").unwrap();
            w.route_state(t, r)
        };
        assert_eq!(state(&w), "blackhole", "pending");
        w.accept_vpc_peering_connection(&scope, &id, NOW).unwrap();
        assert_eq!(state(&w), "active");
        w.delete_vpc_peering_connection(&scope, &id, NOW).unwrap();
        assert_eq!(state(&w), "blackhole", "deleted");
        let dest = DestinationSpec { cidr: Some("10.9.0.0/16".into()), ..Default::default() };
        assert_eq!(
            w.create_route(&scope, &ta, &dest, &to).unwrap_err().code,
            "InvalidVpcPeeringConnectionID.NotFound",
            "a deleted connection"
        );
    }

    #[test]
    fn unanswered_requests_expire_and_modifying_needs_an_active_connection() {
        let (mut w, scope, a) = crate::testkit::world_with_vpc();
        let b = vpc(&mut w, &scope, "10.1.0.0/16");
        let id = w.create_vpc_peering_connection(&scope, request(&a, &b), NOW).unwrap();
        assert_eq!(
            w.modify_vpc_peering_connection_options(
                &scope,
                &id,
                None,
                Some(OptionsChange::default()),
                NOW
            )
            .unwrap_err()
            .code,
            "OperationNotPermitted"
        );
        let later = NOW + EXPIRY_MS;
        assert_eq!(
            w.find_vpc_peering_connection(&scope, &id, later).unwrap().state_at(later),
            PeeringState::Expired
        );
        assert_eq!(
            w.accept_vpc_peering_connection(&scope, &id, later).unwrap_err().code,
            "InvalidStateTransition"
        );
    }
}

//! Transit gateway peering attachments: a requester gateway asks to peer with another gateway
//! (of its region or another, of its account or another); the peer gateway's owner accepts or
//! rejects; either side deletes.
//!
//! On AWS a peering attachment has ONE id seen from both gateways, and each gateway associates
//! it with a route table of its own. vpclab keeps it as one row of the attachments table (see
//! [`AttachmentResource::Peering`]): the requester's side is the attachment's gateway and
//! association, the accepter's side the peer gateway and `peer_association`. States:
//! `pendingAcceptance` → `available` (accepted) / `rejected`; `deleted`; `failed` when the peer
//! gateway does not exist. Peering attachments carry static routes only (no propagation).

use crate::error::{Error, Result};
use crate::kinds;
use crate::transit_gateway::{AttachmentResource, AttachmentState, TgwAttachment};
use crate::types::ec2::Tags;
use crate::world::{Scope, World};
use codes::Ec2;

/// What CreateTransitGatewayPeeringAttachment asks for.
#[derive(Debug, Clone, Default)]
pub struct NewTgwPeering {
    pub transit_gateway_id: String,
    pub peer_transit_gateway_id: String,
    /// The peer gateway's account (absent or empty: the requester's).
    pub peer_account_id: Option<String>,
    /// The peer gateway's region (absent or empty: the requester's).
    pub peer_region: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// One side of a peering: a gateway and its owner.
pub type PeeringSide<'a> = (&'a str, &'a Scope);

/// The two sides of a peering attachment: requester, accepter.
pub fn peering_sides(a: &TgwAttachment) -> Option<(PeeringSide<'_>, PeeringSide<'_>)> {
    match &a.resource {
        AttachmentResource::Peering { peer_transit_gateway_id, peer_owner, .. } => {
            Some(((&a.transit_gateway_id, &a.owner), (peer_transit_gateway_id, peer_owner)))
        }
        _ => None,
    }
}

fn incorrect_state(id: &str, state: AttachmentState) -> Error {
    Error::new(
        Ec2::IncorrectState,
        format!("Transit Gateway Attachment {id} is in {} state.", state.name()),
    )
}

impl World {
    /// CreateTransitGatewayPeeringAttachment: `pendingAcceptance` until the peer gateway's
    /// owner accepts; `failed` at once when the peer gateway does not exist in the account and
    /// region named.
    pub fn create_tgw_peering(
        &mut self,
        scope: &Scope,
        req: NewTgwPeering,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        let tgw = self.find_transit_gateway(scope, &req.transit_gateway_id)?.id.clone();
        kinds::TRANSIT_GATEWAY.check_format(&req.peer_transit_gateway_id)?;
        let account =
            req.peer_account_id.filter(|a| !a.is_empty()).unwrap_or_else(|| scope.account.clone());
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_parameter_value(format!(
                "Invalid value '{account}' for peerAccountId. It must be a 12-digit AWS account ID."
            )));
        }
        let region =
            req.peer_region.filter(|r| !r.is_empty()).unwrap_or_else(|| scope.region.clone());
        let peer_owner = Scope::new(account, region);
        peer_owner.region().map_err(|_| {
            Error::invalid_parameter_value(format!(
                "Value ({}) for parameter peerRegion is invalid.",
                peer_owner.region
            ))
        })?;
        if req.peer_transit_gateway_id == tgw {
            return Err(Error::invalid_parameter_value(format!(
                "Transit Gateway {tgw} cannot peer with itself."
            )));
        }
        let peer = req.peer_transit_gateway_id;
        let duplicate = self.transit_gateway_attachments.values().any(|a| {
            a.is_live()
                && a.peer_gateway().is_some()
                && a.on_gateway(&tgw)
                && a.across(&tgw) == Some(peer.as_str())
        });
        if duplicate {
            return Err(Error::new(
                Ec2::DuplicateTransitGatewayAttachment,
                format!("{tgw} has a non-deleted peering attachment with {peer}."),
            ));
        }
        let exists =
            self.transit_gateways.get(&peer).is_some_and(|g| g.owner == peer_owner && g.is_live());
        let resource = AttachmentResource::Peering {
            peer_transit_gateway_id: peer,
            peer_owner,
            peer_association: None,
            accepter_tags: Tags::default(),
        };
        let tags: Tags = req.tags.into_iter().collect();
        let id = self.insert_tgw_attachment(scope, &tgw, resource, tags, now);
        if !exists {
            self.end_tgw_attachment(&id, AttachmentState::Failed, now);
        }
        Ok(id)
    }

    /// A live peering attachment the scope sees.
    fn find_tgw_peering(&self, scope: &Scope, id: &str) -> Result<&TgwAttachment> {
        let a = self.find_tgw_attachment(scope, id)?;
        if a.peer_gateway().is_none() {
            return Err(crate::transit_gateway::attachment_not_found(id));
        }
        Ok(a)
    }

    /// AcceptTransitGatewayPeeringAttachment (`accept`) / Reject…: by the accepter gateway's
    /// owner, while `pendingAcceptance`. Accepted, each side is associated with its gateway's
    /// default association table (when the gateway has default association on).
    pub fn answer_tgw_peering(
        &mut self,
        scope: &Scope,
        id: &str,
        accept: bool,
        now: i64,
    ) -> Result<()> {
        let a = self.find_tgw_peering(scope, id)?.clone();
        let Some(((requester, _), (accepter, accepter_owner))) = peering_sides(&a) else {
            return Err(crate::transit_gateway::attachment_not_found(id));
        };
        if a.state != AttachmentState::PendingAcceptance {
            return Err(incorrect_state(id, a.state));
        }
        if accepter_owner != scope {
            return Err(Error::new(
                Ec2::InvalidParameterValue,
                format!(
                    "Transit Gateway Attachment {id} can only be accepted or rejected by the owner of {accepter}."
                ),
            ));
        }
        if !accept {
            self.end_tgw_attachment(id, AttachmentState::Rejected, now);
            return Ok(());
        }
        let default_table = |w: &World, tgw: &str| {
            w.transit_gateways
                .get(tgw)
                .filter(|g| g.options.default_route_table_association)
                .and_then(|g| g.options.association_default_route_table_id.clone())
                .filter(|t| w.transit_gateway_route_tables.get(t).is_some_and(|t| t.is_live()))
        };
        let (requester_table, accepter_table) =
            (default_table(self, requester), default_table(self, accepter));
        if let Some(a) = self.transit_gateway_attachments.get_mut(id) {
            a.state = AttachmentState::Available;
            a.association = requester_table;
            if let AttachmentResource::Peering { peer_association, .. } = &mut a.resource {
                *peer_association = accepter_table;
            }
        }
        Ok(())
    }

    /// DeleteTransitGatewayPeeringAttachment: by either side.
    pub fn delete_tgw_peering(&mut self, scope: &Scope, id: &str, now: i64) -> Result<()> {
        self.find_tgw_peering(scope, id)?;
        self.end_tgw_attachment(id, AttachmentState::Deleted, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transit_gateway::{NewTransitGateway, RouteChange, TgwRouteTarget};

    const NOW: i64 = 1_700_000_000_000;

    fn two_regions() -> (World, Scope, Scope, String, String) {
        let mut w = World::default();
        let east = Scope::new("123456789012", "us-east-1");
        let west = Scope::new("210987654321", "us-west-2");
        w.ensure_scope(&east).unwrap();
        w.ensure_scope(&west).unwrap();
        let a = w.create_transit_gateway(&east, NewTransitGateway::default(), NOW).unwrap();
        let b = w.create_transit_gateway(&west, NewTransitGateway::default(), NOW).unwrap();
        (w, east, west, a, b)
    }

    fn request(a: &str, b: &str) -> NewTgwPeering {
        NewTgwPeering {
            transit_gateway_id: a.into(),
            peer_transit_gateway_id: b.into(),
            peer_account_id: Some("210987654321".into()),
            peer_region: Some("us-west-2".into()),
            tags: vec![],
        }
    }

    #[test]
    fn a_peering_is_one_attachment_with_an_association_per_side() {
        let (mut w, east, west, a, b) = two_regions();
        let id = w.create_tgw_peering(&east, request(&a, &b), NOW).unwrap();
        let att = w.transit_gateway_attachments.get(&id).unwrap();
        assert_eq!(att.state, AttachmentState::PendingAcceptance);
        assert!(att.association.is_none());
        // Both sides see it; only the accepter answers.
        assert!(w.find_tgw_attachment(&west, &id).is_ok());
        assert_eq!(
            w.answer_tgw_peering(&east, &id, true, NOW).unwrap_err().code,
            "InvalidParameterValue"
        );
        w.answer_tgw_peering(&west, &id, true, NOW).unwrap();
        assert_eq!(w.answer_tgw_peering(&west, &id, true, NOW).unwrap_err().code, "IncorrectState");
        let att = w.transit_gateway_attachments.get(&id).unwrap().clone();
        let east_rtb =
            w.transit_gateways.get(&a).unwrap().options.association_default_route_table_id.clone();
        let west_rtb =
            w.transit_gateways.get(&b).unwrap().options.association_default_route_table_id.clone();
        assert_eq!(att.association_on(&a), east_rtb.as_deref());
        assert_eq!(att.association_on(&b), west_rtb.as_deref());
        assert_eq!(att.across(&a), Some(b.as_str()));
        let west_rtb = west_rtb.unwrap();
        // Each side disassociates and associates its own table.
        w.disassociate_tgw_route_table(&west, &west_rtb, &id).unwrap();
        assert_eq!(w.transit_gateway_attachments.get(&id).unwrap().association_on(&b), None);
        assert!(w.transit_gateway_attachments.get(&id).unwrap().association_on(&a).is_some());
        w.associate_tgw_route_table(&west, &west_rtb, &id).unwrap();
        // Static routes on both sides; no propagation.
        w.change_tgw_route(
            &west,
            &west_rtb,
            "10.1.0.0/16",
            Some(TgwRouteTarget::Attachment(id.clone())),
            RouteChange::Create,
        )
        .unwrap();
        assert_eq!(
            w.set_tgw_propagation(&west, &west_rtb, &id, true).unwrap_err().code,
            "InvalidParameterValue"
        );
        // Neither gateway goes while peered; either side deletes.
        assert_eq!(w.delete_transit_gateway(&west, &b, NOW).unwrap_err().code, "IncorrectState");
        w.delete_tgw_peering(&west, &id, NOW).unwrap();
        assert_eq!(
            w.find_tgw_attachment(&east, &id).unwrap_err().code,
            "InvalidTransitGatewayAttachmentID.NotFound"
        );
        w.delete_transit_gateway(&west, &b, NOW).unwrap();
    }

    #[test]
    fn peering_requests_are_checked() {
        let (mut w, east, west, a, b) = two_regions();
        assert_eq!(
            w.create_tgw_peering(&east, request(&a, &a), NOW).unwrap_err().code,
            "InvalidParameterValue"
        );
        let mut bad = request(&a, &b);
        bad.peer_account_id = Some("12".into());
        assert_eq!(
            w.create_tgw_peering(&east, bad, NOW).unwrap_err().code,
            "InvalidParameterValue"
        );
        let mut bad = request(&a, &b);
        bad.peer_region = Some("mars-1".into());
        assert_eq!(
            w.create_tgw_peering(&east, bad, NOW).unwrap_err().code,
            "InvalidParameterValue"
        );
        // A peer gateway that is not where it is said to be: the attachment fails.
        let mut wrong = request(&a, &b);
        wrong.peer_region = Some("eu-west-1".into());
        let failed = w.create_tgw_peering(&east, wrong, NOW).unwrap();
        assert_eq!(
            w.transit_gateway_attachments.get(&failed).unwrap().state,
            AttachmentState::Failed
        );
        let id = w.create_tgw_peering(&east, request(&a, &b), NOW).unwrap();
        assert_eq!(
            w.create_tgw_peering(&east, request(&a, &b), NOW).unwrap_err().code,
            "DuplicateTransitGatewayAttachment"
        );
        w.answer_tgw_peering(&west, &id, false, NOW).unwrap();
        assert_eq!(
            w.transit_gateway_attachments.get(&id).unwrap().state,
            AttachmentState::Rejected
        );
        assert_eq!(
            w.answer_tgw_peering(&west, &id, true, NOW).unwrap_err().code,
            "InvalidTransitGatewayAttachmentID.NotFound"
        );
    }
}

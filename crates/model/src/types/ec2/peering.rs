//! The stored types of VPC peering connections (operations: [`crate::peering`]).

use crate::scope::Scope;
use crate::types::ec2::Tags;
use serde::{Deserialize, Serialize};

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeeringState {
    InitiatingRequest,
    PendingAcceptance,
    Active,
    Rejected,
    Failed,
    Expired,
    Deleted,
}

impl PeeringState {
    /// The status code as the API spells it.
    pub fn code(self) -> &'static str {
        match self {
            PeeringState::InitiatingRequest => "initiating-request",
            PeeringState::PendingAcceptance => "pending-acceptance",
            PeeringState::Active => "active",
            PeeringState::Rejected => "rejected",
            PeeringState::Failed => "failed",
            PeeringState::Expired => "expired",
            PeeringState::Deleted => "deleted",
        }
    }

    /// No longer pending or active: nothing can be done with it any more.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            PeeringState::Rejected
                | PeeringState::Failed
                | PeeringState::Expired
                | PeeringState::Deleted
        )
    }
}

/// The options one side sets for its side of an active connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeeringOptions {
    pub allow_dns_resolution_from_remote_vpc: bool,
    pub allow_egress_from_local_classic_link_to_remote_vpc: bool,
    pub allow_egress_from_local_vpc_to_remote_classic_link: bool,
}

/// A change to some of a side's options (ModifyVpcPeeringConnectionOptions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OptionsChange {
    pub allow_dns_resolution_from_remote_vpc: Option<bool>,
    pub allow_egress_from_local_classic_link_to_remote_vpc: Option<bool>,
    pub allow_egress_from_local_vpc_to_remote_classic_link: Option<bool>,
}

impl OptionsChange {
    pub(crate) fn apply(&self, to: &mut PeeringOptions) {
        if let Some(v) = self.allow_dns_resolution_from_remote_vpc {
            to.allow_dns_resolution_from_remote_vpc = v;
        }
        if let Some(v) = self.allow_egress_from_local_classic_link_to_remote_vpc {
            to.allow_egress_from_local_classic_link_to_remote_vpc = v;
        }
        if let Some(v) = self.allow_egress_from_local_vpc_to_remote_classic_link {
            to.allow_egress_from_local_vpc_to_remote_classic_link = v;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcPeeringConnection {
    pub id: String,
    /// The requester's account and region.
    pub owner: Scope,
    pub requester_vpc_id: String,
    /// The accepter's account and region.
    pub accepter: Scope,
    pub accepter_vpc_id: String,
    pub state: PeeringState,
    pub message: String,
    pub requester_options: PeeringOptions,
    pub accepter_options: PeeringOptions,
    /// When it was requested (ms since the epoch).
    pub created: i64,
    /// When it was closed (deleted, rejected, failed), if it was at a known time.
    pub closed: Option<i64>,
    /// The requester's tags.
    pub tags: Tags,
    /// The accepter's tags, when it is another account or region: each side tags its own.
    #[serde(default)]
    pub accepter_tags: Tags,
}

impl VpcPeeringConnection {
    /// Its state at `now`: an unanswered request expires.
    pub fn state_at(&self, now: i64) -> PeeringState {
        if self.state == PeeringState::PendingAcceptance && now >= self.expiration() {
            PeeringState::Expired
        } else {
            self.state
        }
    }

    /// The status message at `now`.
    pub fn message_at(&self, now: i64) -> String {
        match self.state_at(now) {
            PeeringState::Expired if self.state != PeeringState::Expired => "Expired".into(),
            _ => self.message.clone(),
        }
    }

    /// When an unanswered request expires.
    pub fn expiration(&self) -> i64 {
        self.created + EXPIRY_MS
    }

    /// Whether `scope` is one of its sides.
    pub fn is_side(&self, scope: &Scope) -> bool {
        &self.owner == scope || &self.accepter == scope
    }

    /// Whether `scope` still sees it at `now` (closed connections fade after two hours).
    pub fn visible_to(&self, scope: &Scope, now: i64) -> bool {
        self.is_side(scope)
            && self.closed.is_none_or(|t| now.saturating_sub(t) <= CLOSED_VISIBLE_MS)
            && !(self.state_at(now) == PeeringState::Expired
                && now.saturating_sub(self.expiration()) > CLOSED_VISIBLE_MS)
    }

    /// The tags `scope` sees: the accepter's own when it is another account or region.
    pub fn tags_seen_by(&self, scope: &Scope) -> &Tags {
        if &self.accepter == scope && &self.owner != scope {
            &self.accepter_tags
        } else {
            &self.tags
        }
    }

    /// As [`VpcPeeringConnection::tags_seen_by`], for writing.
    pub fn tags_of_side(&mut self, scope: &Scope) -> &mut Tags {
        if &self.accepter == scope && &self.owner != scope {
            &mut self.accepter_tags
        } else {
            &mut self.tags
        }
    }

    /// Whether it joins `vpc` to another VPC; the other VPC's id.
    pub fn peer_of(&self, vpc: &str) -> Option<&str> {
        if self.requester_vpc_id == vpc {
            Some(&self.accepter_vpc_id)
        } else if self.accepter_vpc_id == vpc {
            Some(&self.requester_vpc_id)
        } else {
            None
        }
    }

    /// Whether packets can cross it now.
    pub fn is_active(&self) -> bool {
        self.state == PeeringState::Active
    }
}

/// What CreateVpcPeeringConnection asks for.
#[derive(Debug, Clone, Default)]
pub struct NewPeering {
    pub vpc_id: String,
    pub peer_vpc_id: Option<String>,
    pub peer_owner_id: Option<String>,
    pub peer_region: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// How long an unanswered request waits for the accepter (ms).
pub const EXPIRY_MS: i64 = 7 * 24 * 3_600_000;

/// How long a closed connection stays visible (ms).
pub const CLOSED_VISIBLE_MS: i64 = 2 * 3_600_000;

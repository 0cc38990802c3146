//! The stored types of prefix lists (operations: [`crate::prefix_list`]).

use crate::cidr::{Cidr, Ipv4Cidr};
use crate::scope::Scope;
use crate::types::ec2::Tags;
use serde::{Deserialize, Serialize};

/// An AWS-managed prefix list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPrefixList {
    pub id: String,
    pub name: String,
    pub address_family: &'static str,
    pub cidrs: Vec<Ipv4Cidr>,
    /// How many routes or rules a reference to the list counts as (AWS's published weight).
    pub weight: usize,
}

/// IPv4 or IPv6: a customer list holds blocks of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddressFamily {
    IPv4,
    IPv6,
}

impl AddressFamily {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "IPv4" => Some(AddressFamily::IPv4),
            "IPv6" => Some(AddressFamily::IPv6),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AddressFamily::IPv4 => "IPv4",
            AddressFamily::IPv6 => "IPv6",
        }
    }
}

/// Where a list's last operation left it. Operations complete at once here, so the
/// `-in-progress` states are never seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    CreateComplete,
    ModifyComplete,
    ModifyFailed,
    RestoreComplete,
    DeleteFailed,
    DeleteComplete,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::CreateComplete => "create-complete",
            State::ModifyComplete => "modify-complete",
            State::ModifyFailed => "modify-failed",
            State::RestoreComplete => "restore-complete",
            State::DeleteFailed => "delete-failed",
            State::DeleteComplete => "delete-complete",
        }
    }
}

/// One block of a list, with its optional description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub cidr: Cidr,
    pub description: Option<String>,
}

/// The entries of one version of a list, in CIDR order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub number: i64,
    pub entries: Vec<Entry>,
}

/// A customer-managed prefix list, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPrefixList {
    pub id: String,
    pub owner: Scope,
    pub name: String,
    pub address_family: AddressFamily,
    pub max_entries: usize,
    pub state: State,
    pub state_message: Option<String>,
    /// Stored versions, oldest first; the last is the current one (never empty).
    pub versions: Vec<Version>,
    pub client_token: Option<String>,
    pub tags: Tags,
}

impl CustomerPrefixList {
    pub fn version(&self) -> i64 {
        self.versions.last().map_or(1, |v| v.number)
    }

    pub fn entries(&self) -> &[Entry] {
        self.versions.last().map_or(&[], |v| v.entries.as_slice())
    }

    /// The entries of a stored version.
    pub fn entries_at(&self, version: i64) -> Option<&[Entry]> {
        self.versions.iter().find(|v| v.number == version).map(|v| v.entries.as_slice())
    }

    pub fn cidrs(&self) -> impl Iterator<Item = Cidr> + '_ {
        self.entries().iter().map(|e| e.cidr)
    }

    pub fn arn(&self) -> String {
        self.owner.arn("ec2", &format!("prefix-list/{}", self.id))
    }

    /// Stores `entries` as the next version.
    pub(crate) fn push_version(&mut self, mut entries: Vec<Entry>) {
        entries.sort_by_key(|e| e.cidr);
        let number = self.versions.last().map_or(1, |v| v.number + 1);
        self.versions.push(Version { number, entries });
        if self.versions.len() > MAX_VERSIONS {
            self.versions.remove(0);
        }
    }
}

/// CreateManagedPrefixList's parameters, as given.
#[derive(Debug, Clone, Default)]
pub struct NewPrefixList {
    pub name: String,
    pub max_entries: i32,
    pub address_family: String,
    /// (CIDR, description).
    pub entries: Vec<(String, Option<String>)>,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// ModifyManagedPrefixList's parameters, as given.
#[derive(Debug, Clone, Default)]
pub struct PrefixListChange {
    pub current_version: Option<i64>,
    pub name: Option<String>,
    pub max_entries: Option<i32>,
    pub add: Vec<(String, Option<String>)>,
    pub remove: Vec<String>,
}

/// A prefix list of either kind, as routes, rules and the engine see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub cidrs: Vec<Cidr>,
    pub weight: usize,
}

/// Versions kept per list; the oldest is dropped to make room for a new one.
pub const MAX_VERSIONS: usize = 1000;

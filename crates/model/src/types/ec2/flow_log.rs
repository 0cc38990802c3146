//! The stored types of flow logs and their records (operations: [`crate::flow_log`]).

use crate::error::{Error, Result};
use crate::kinds::{self, Kind};
use crate::scope::Scope;
use crate::types::ec2::Tags;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// One flow log, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowLog {
    pub id: String,
    pub owner: Scope,
    /// The VPC, subnet or network interface watched.
    pub resource_id: String,
    pub traffic_type: TrafficType,
    pub destination: Destination,
    pub deliver_logs_permission_arn: Option<String>,
    pub deliver_cross_account_role: Option<String>,
    /// The format as AWS reports it: the request's, or the default version-2 format.
    pub log_format: String,
    /// 60 or 600 seconds.
    pub max_aggregation_interval: i32,
    /// S3 only.
    pub destination_options: Option<DestinationOptions>,
    /// Milliseconds since the epoch.
    pub creation_time: i64,
    pub client_token: Option<String>,
    pub tags: Tags,
}

/// Which records a flow log keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrafficType {
    Accept,
    Reject,
    All,
}

impl TrafficType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ACCEPT" => Some(TrafficType::Accept),
            "REJECT" => Some(TrafficType::Reject),
            "ALL" => Some(TrafficType::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TrafficType::Accept => "ACCEPT",
            TrafficType::Reject => "REJECT",
            TrafficType::All => "ALL",
        }
    }
}

/// Where records go. The ARN is kept as AWS reports it in `logDestination`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Destination {
    CloudWatchLogs {
        arn: String,
        log_group: String,
    },
    /// `prefix` is the folder after the bucket without surrounding slashes (may be empty).
    S3 {
        arn: String,
        bucket: String,
        prefix: String,
    },
    KinesisDataFirehose {
        arn: String,
    },
}

impl Destination {
    /// `LogDestinationType` as AWS spells it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Destination::CloudWatchLogs { .. } => "cloud-watch-logs",
            Destination::S3 { .. } => "s3",
            Destination::KinesisDataFirehose { .. } => "kinesis-data-firehose",
        }
    }

    pub fn arn(&self) -> &str {
        match self {
            Destination::CloudWatchLogs { arn, .. }
            | Destination::S3 { arn, .. }
            | Destination::KinesisDataFirehose { arn } => arn,
        }
    }

    pub fn log_group(&self) -> Option<&str> {
        match self {
            Destination::CloudWatchLogs { log_group, .. } => Some(log_group),
            _ => None,
        }
    }
}

/// S3 file options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationOptions {
    pub file_format: FileFormat,
    pub hive_compatible_partitions: bool,
    pub per_hour_partition: bool,
}

impl Default for DestinationOptions {
    fn default() -> Self {
        DestinationOptions {
            file_format: FileFormat::PlainText,
            hive_compatible_partitions: false,
            per_hour_partition: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileFormat {
    PlainText,
    Parquet,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::PlainText => "plain-text",
            FileFormat::Parquet => "parquet",
        }
    }
}

/// What a record says happened to the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    Accept,
    Reject,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "ACCEPT",
            Action::Reject => "REJECT",
        }
    }
}

impl FlowLog {
    /// Whether this flow log keeps a record with `action`.
    pub fn wants(&self, action: Action) -> bool {
        match self.traffic_type {
            TrafficType::All => true,
            TrafficType::Accept => action == Action::Accept,
            TrafficType::Reject => action == Action::Reject,
        }
    }

    /// The parsed record format (validated when the flow log was created).
    pub fn format(&self) -> LogFormat {
        LogFormat::parse(&self.log_format).unwrap_or_default()
    }
}

/// A record format: `${field}` tokens separated by single spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFormat {
    fields: Vec<Field>,
}

impl Default for LogFormat {
    fn default() -> Self {
        LogFormat { fields: Field::ALL.iter().copied().filter(|f| f.version() == 2).collect() }
    }
}

impl LogFormat {
    /// Parses a `LogFormat` parameter as AWS validates it: a malformed string is
    /// `InvalidParameterValue`, a well-formed token naming no field is `InvalidParameter`.
    pub fn parse(format: &str) -> Result<LogFormat> {
        let malformed = || {
            Error::invalid_parameter_value(format!(
                "1 validation error detected: Value '{format}' at 'logFormat' has an invalid format"
            ))
        };
        if format.is_empty() {
            return Err(malformed());
        }
        let mut fields = Vec::new();
        let mut unknown = Vec::new();
        for token in format.split(' ') {
            let name = token
                .strip_prefix("${")
                .and_then(|t| t.strip_suffix('}'))
                .filter(|n| !n.is_empty() && !n.contains(['$', '{', '}']))
                .ok_or_else(malformed)?;
            match Field::from_name(name) {
                Some(f) => fields.push(f),
                None => unknown.push(token),
            }
        }
        if !unknown.is_empty() {
            return Err(Error::invalid_parameter(format!(
                "Unknown fields provided: {}",
                unknown.join(", ")
            )));
        }
        Ok(LogFormat { fields })
    }

    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The record version: the highest version among the fields.
    pub fn version(&self) -> u8 {
        self.fields.iter().map(|f| f.version()).max().unwrap_or(2)
    }

    /// The header line of S3 text files: the field names separated by spaces.
    pub fn header(&self) -> String {
        self.fields.iter().map(|f| f.name()).collect::<Vec<_>>().join(" ")
    }

    /// One record as a line (no newline); absent values are `-`.
    pub fn render(&self, record: &FlowRecord) -> String {
        let mut out = String::new();
        for (i, field) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            match record.value(*field, self.version()) {
                Some(v) if !v.is_empty() => out.push_str(&v),
                _ => out.push('-'),
            }
        }
        out
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tokens: Vec<String> =
            self.fields.iter().map(|x| format!("${{{}}}", x.name())).collect();
        f.write_str(&tokens.join(" "))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LogStatus {
    #[default]
    Ok,
    NoData,
    SkipData,
}

impl LogStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LogStatus::Ok => "OK",
            LogStatus::NoData => "NODATA",
            LogStatus::SkipData => "SKIPDATA",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowDirection {
    Ingress,
    Egress,
}

impl FlowDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowDirection::Ingress => "ingress",
            FlowDirection::Egress => "egress",
        }
    }
}

/// One record's values at one interface; `None` is written `-`. The `version` field is not
/// here: it is the format's version ([`LogFormat::version`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FlowRecord {
    pub account_id: Option<String>,
    pub interface_id: Option<String>,
    pub srcaddr: Option<IpAddr>,
    pub dstaddr: Option<IpAddr>,
    pub srcport: Option<u16>,
    pub dstport: Option<u16>,
    /// IANA protocol number.
    pub protocol: Option<u8>,
    pub packets: Option<u64>,
    pub bytes: Option<u64>,
    /// Unix seconds.
    pub start: i64,
    pub end: i64,
    pub action: Option<Action>,
    pub log_status: LogStatus,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub instance_id: Option<String>,
    pub tcp_flags: Option<u16>,
    /// `IPv4`, `IPv6` or `EFA`.
    pub traffic_type: Option<String>,
    pub pkt_srcaddr: Option<IpAddr>,
    pub pkt_dstaddr: Option<IpAddr>,
    pub region: Option<String>,
    pub az_id: Option<String>,
    pub sublocation_type: Option<String>,
    pub sublocation_id: Option<String>,
    pub pkt_src_aws_service: Option<String>,
    pub pkt_dst_aws_service: Option<String>,
    pub flow_direction: Option<FlowDirection>,
    /// 1–8, egress only.
    pub traffic_path: Option<u8>,
    pub ecs_cluster_arn: Option<String>,
    pub ecs_cluster_name: Option<String>,
    pub ecs_container_instance_arn: Option<String>,
    pub ecs_container_instance_id: Option<String>,
    pub ecs_container_id: Option<String>,
    pub ecs_second_container_id: Option<String>,
    pub ecs_service_name: Option<String>,
    pub ecs_task_definition_arn: Option<String>,
    pub ecs_task_arn: Option<String>,
    pub ecs_task_id: Option<String>,
    pub reject_reason: Option<String>,
    pub resource_id: Option<String>,
    pub encryption_status: Option<u8>,
}

impl FlowRecord {
    /// The value written for `field` (`version` is the format's, passed in).
    pub fn value(&self, field: Field, version: u8) -> Option<String> {
        match field {
            Field::Version => Some(version.to_string()),
            Field::AccountId => self.account_id.clone(),
            Field::InterfaceId => self.interface_id.clone(),
            Field::SrcAddr => text(&self.srcaddr),
            Field::DstAddr => text(&self.dstaddr),
            Field::SrcPort => text(&self.srcport),
            Field::DstPort => text(&self.dstport),
            Field::Protocol => text(&self.protocol),
            Field::Packets => text(&self.packets),
            Field::Bytes => text(&self.bytes),
            Field::Start => Some(self.start.to_string()),
            Field::End => Some(self.end.to_string()),
            Field::Action => self.action.map(|a| a.as_str().to_owned()),
            Field::LogStatus => Some(self.log_status.as_str().to_owned()),
            Field::VpcId => self.vpc_id.clone(),
            Field::SubnetId => self.subnet_id.clone(),
            Field::InstanceId => self.instance_id.clone(),
            Field::TcpFlags => text(&self.tcp_flags),
            Field::Type => self.traffic_type.clone(),
            Field::PktSrcAddr => text(&self.pkt_srcaddr),
            Field::PktDstAddr => text(&self.pkt_dstaddr),
            Field::Region => self.region.clone(),
            Field::AzId => self.az_id.clone(),
            Field::SublocationType => self.sublocation_type.clone(),
            Field::SublocationId => self.sublocation_id.clone(),
            Field::PktSrcAwsService => self.pkt_src_aws_service.clone(),
            Field::PktDstAwsService => self.pkt_dst_aws_service.clone(),
            Field::FlowDirection => self.flow_direction.map(|d| d.as_str().to_owned()),
            Field::TrafficPath => text(&self.traffic_path),
            Field::EcsClusterArn => self.ecs_cluster_arn.clone(),
            Field::EcsClusterName => self.ecs_cluster_name.clone(),
            Field::EcsContainerInstanceArn => self.ecs_container_instance_arn.clone(),
            Field::EcsContainerInstanceId => self.ecs_container_instance_id.clone(),
            Field::EcsContainerId => self.ecs_container_id.clone(),
            Field::EcsSecondContainerId => self.ecs_second_container_id.clone(),
            Field::EcsServiceName => self.ecs_service_name.clone(),
            Field::EcsTaskDefinitionArn => self.ecs_task_definition_arn.clone(),
            Field::EcsTaskArn => self.ecs_task_arn.clone(),
            Field::EcsTaskId => self.ecs_task_id.clone(),
            Field::RejectReason => self.reject_reason.clone(),
            Field::ResourceId => self.resource_id.clone(),
            Field::EncryptionStatus => text(&self.encryption_status),
        }
    }
}

/// The resource kinds CreateFlowLogs accepts, with how their ids are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowLogResource {
    Vpc,
    Subnet,
    NetworkInterface,
    /// Transit gateways and their attachments: accepted and described (records are not
    /// delivered).
    TransitGateway,
    TransitGatewayAttachment,
    /// A kind vpclab does not model yet: every id is reported missing, as AWS reports an id
    /// it does not know.
    RegionalNatGateway,
}

impl FlowLogResource {
    /// `ResourceType` as the request names it.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "VPC" => Some(FlowLogResource::Vpc),
            "Subnet" => Some(FlowLogResource::Subnet),
            "NetworkInterface" => Some(FlowLogResource::NetworkInterface),
            "TransitGateway" => Some(FlowLogResource::TransitGateway),
            "TransitGatewayAttachment" => Some(FlowLogResource::TransitGatewayAttachment),
            "RegionalNatGateway" => Some(FlowLogResource::RegionalNatGateway),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FlowLogResource::Vpc => "VPC",
            FlowLogResource::Subnet => "Subnet",
            FlowLogResource::NetworkInterface => "NetworkInterface",
            FlowLogResource::TransitGateway => "TransitGateway",
            FlowLogResource::TransitGatewayAttachment => "TransitGatewayAttachment",
            FlowLogResource::RegionalNatGateway => "RegionalNatGateway",
        }
    }

    pub(crate) fn kind(self) -> &'static Kind {
        match self {
            FlowLogResource::Vpc => &kinds::VPC,
            FlowLogResource::Subnet => &kinds::SUBNET,
            FlowLogResource::NetworkInterface => &kinds::NETWORK_INTERFACE,
            FlowLogResource::TransitGateway => &kinds::TRANSIT_GATEWAY,
            FlowLogResource::TransitGatewayAttachment => &kinds::TRANSIT_GATEWAY_ATTACHMENT,
            FlowLogResource::RegionalNatGateway => &kinds::NAT_GATEWAY,
        }
    }

    /// Whether flow logs of this kind record VPC traffic with a traffic type.
    pub(crate) fn is_vpc_kind(self) -> bool {
        matches!(
            self,
            FlowLogResource::Vpc | FlowLogResource::Subnet | FlowLogResource::NetworkInterface
        )
    }
}

/// A CreateFlowLogs request, as parsed from the wire.
#[derive(Debug, Clone, Default)]
pub struct NewFlowLogs {
    pub resource_type: String,
    pub resource_ids: Vec<String>,
    pub traffic_type: Option<String>,
    pub log_destination_type: Option<String>,
    pub log_destination: Option<String>,
    pub log_group_name: Option<String>,
    pub deliver_logs_permission_arn: Option<String>,
    pub deliver_cross_account_role: Option<String>,
    pub log_format: Option<String>,
    pub max_aggregation_interval: Option<i32>,
    /// `FileFormat`, `HiveCompatiblePartitions`, `PerHourPartition` as given.
    pub destination_options: Option<(Option<String>, Option<bool>, Option<bool>)>,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// The outcome of CreateFlowLogs or DeleteFlowLogs: ids done, and the per-resource failures
/// AWS reports in `Unsuccessful` (resource id, error).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowLogOutcome {
    pub flow_log_ids: Vec<String>,
    pub unsuccessful: Vec<(String, Error)>,
}

pub fn text<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|x| x.to_string())
}

macro_rules! fields {
    ($($variant:ident = $name:literal, $version:literal;)*) => {
        /// A flow log record field, in AWS's table order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field {
            $($variant,)*
        }

        impl Field {
            /// Every field, in AWS's table order.
            pub const ALL: &'static [Field] = &[$(Field::$variant,)*];

            /// The name inside `${…}`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Field::$variant => $name,)*
                }
            }

            /// The flow log version that introduced the field.
            pub fn version(self) -> u8 {
                match self {
                    $(Field::$variant => $version,)*
                }
            }

            pub fn from_name(name: &str) -> Option<Field> {
                match name {
                    $($name => Some(Field::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

fields! {
    Version = "version", 2;
    AccountId = "account-id", 2;
    InterfaceId = "interface-id", 2;
    SrcAddr = "srcaddr", 2;
    DstAddr = "dstaddr", 2;
    SrcPort = "srcport", 2;
    DstPort = "dstport", 2;
    Protocol = "protocol", 2;
    Packets = "packets", 2;
    Bytes = "bytes", 2;
    Start = "start", 2;
    End = "end", 2;
    Action = "action", 2;
    LogStatus = "log-status", 2;
    VpcId = "vpc-id", 3;
    SubnetId = "subnet-id", 3;
    InstanceId = "instance-id", 3;
    TcpFlags = "tcp-flags", 3;
    Type = "type", 3;
    PktSrcAddr = "pkt-srcaddr", 3;
    PktDstAddr = "pkt-dstaddr", 3;
    Region = "region", 4;
    AzId = "az-id", 4;
    SublocationType = "sublocation-type", 4;
    SublocationId = "sublocation-id", 4;
    PktSrcAwsService = "pkt-src-aws-service", 5;
    PktDstAwsService = "pkt-dst-aws-service", 5;
    FlowDirection = "flow-direction", 5;
    TrafficPath = "traffic-path", 5;
    EcsClusterArn = "ecs-cluster-arn", 7;
    EcsClusterName = "ecs-cluster-name", 7;
    EcsContainerInstanceArn = "ecs-container-instance-arn", 7;
    EcsContainerInstanceId = "ecs-container-instance-id", 7;
    EcsContainerId = "ecs-container-id", 7;
    EcsSecondContainerId = "ecs-second-container-id", 7;
    EcsServiceName = "ecs-service-name", 7;
    EcsTaskDefinitionArn = "ecs-task-definition-arn", 7;
    EcsTaskArn = "ecs-task-arn", 7;
    EcsTaskId = "ecs-task-id", 7;
    RejectReason = "reject-reason", 8;
    ResourceId = "resource-id", 9;
    EncryptionStatus = "encryption-status", 10;
}

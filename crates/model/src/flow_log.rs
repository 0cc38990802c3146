//! VPC flow logs: the resource (CreateFlowLogs, DeleteFlowLogs with AWS's validation), the
//! record format (`LogFormat`, AWS's field list and versions) and one record's values
//! ([`FlowRecord`]) rendered as AWS writes it.
//!
//! Which interfaces see which packets, and whether they are accepted, is the semantics
//! engine's business; here a flow log only says what it watches
//! ([`World::flow_logs_for_interface`]), which records it wants ([`FlowLog::wants`]) and how a
//! record reads ([`LogFormat::render`]). Writing the files is the API layer's (it does I/O).

use crate::error::{Error, Result};
use crate::kinds::{self};
use crate::references::{Reference, References};
pub use crate::types::ec2::flow_log::*;
use crate::world::{Scope, World};
use codes::Ec2;

// ---------------------------------------------------------------------------------------------
// Record format

/// The default (version 2) format, as DescribeFlowLogs reports it.
pub const DEFAULT_LOG_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

/// [`LogFormat::render`] as a function.
pub fn render(format: &LogFormat, record: &FlowRecord) -> String {
    format.render(record)
}

// ---------------------------------------------------------------------------------------------
// Records

// ---------------------------------------------------------------------------------------------
// CreateFlowLogs / DeleteFlowLogs

/// AWS's limit on `ResourceId.N` for VPC, subnet and interface flow logs.
pub const MAX_RESOURCE_IDS: usize = 1000;

impl World {
    /// CreateFlowLogs. Request-level mistakes fail the call; a resource that is missing or
    /// already has the same flow log is reported in `unsuccessful` and the others are created.
    /// `now` is the creation time in milliseconds.
    pub fn create_flow_logs(
        &mut self,
        scope: &Scope,
        req: NewFlowLogs,
        now: i64,
    ) -> Result<FlowLogOutcome> {
        if let Some(token) = &req.client_token {
            let ids: Vec<String> = self
                .flow_logs
                .in_scope(scope)
                .filter(|f| f.client_token.as_ref() == Some(token))
                .map(|f| f.id.clone())
                .collect();
            if !ids.is_empty() {
                return Ok(FlowLogOutcome { flow_log_ids: ids, unsuccessful: vec![] });
            }
        }
        crate::tags::validate(&req.tags)?;
        let kind = FlowLogResource::parse(&req.resource_type).ok_or_else(|| {
            Error::invalid_parameter_value(format!(
                "Value ({}) for parameter resourceType is invalid.",
                req.resource_type
            ))
        })?;
        if req.resource_ids.is_empty() {
            return Err(Error::missing_parameter("ResourceId"));
        }
        if req.resource_ids.len() > MAX_RESOURCE_IDS {
            return Err(Error::invalid_parameter(format!(
                "The maximum number of resource IDs is {MAX_RESOURCE_IDS}."
            )));
        }
        let traffic_type = match (&req.traffic_type, kind.is_vpc_kind()) {
            (Some(t), _) => TrafficType::parse(t).ok_or_else(|| {
                Error::invalid_parameter_value(format!(
                    "Value ({t}) for parameter trafficType is invalid."
                ))
            })?,
            (None, true) => {
                return Err(Error::invalid_parameter(format!(
                    "TrafficType can't be empty if ResourceType is {}.",
                    kind.as_str()
                )));
            }
            (None, false) => TrafficType::All,
        };
        let destination = self.flow_log_destination(scope, &req)?;
        let interval = match req.max_aggregation_interval {
            None => 600,
            Some(i @ (60 | 600)) => i,
            Some(_) => {
                return Err(Error::invalid_parameter("Invalid Flow Log Max Aggregation Interval"));
            }
        };
        let log_format = match &req.log_format {
            None => DEFAULT_LOG_FORMAT.to_owned(),
            Some(f) => {
                LogFormat::parse(f)?;
                f.clone()
            }
        };
        let destination_options = flow_log_destination_options(&destination, &req)?;

        let mut out = FlowLogOutcome::default();
        for resource_id in &req.resource_ids {
            if let Err(e) = self.check_flow_log_resource(scope, kind, resource_id) {
                out.unsuccessful.push((resource_id.clone(), e));
                continue;
            }
            let duplicate = self.flow_logs.in_scope(scope).any(|f| {
                &f.resource_id == resource_id
                    && f.traffic_type == traffic_type
                    && f.destination == destination
            });
            if duplicate {
                out.unsuccessful.push((
                    resource_id.clone(),
                    Error::new(
                        Ec2::FlowLogAlreadyExists,
                        "Error. There is an existing Flow Log with the same configuration and log destination.",
                    ),
                ));
                continue;
            }
            let id = self.fresh_id("fl");
            self.flow_logs.insert(
                id.clone(),
                FlowLog {
                    id: id.clone(),
                    owner: scope.clone(),
                    resource_id: resource_id.clone(),
                    traffic_type,
                    destination: destination.clone(),
                    deliver_logs_permission_arn: req.deliver_logs_permission_arn.clone(),
                    deliver_cross_account_role: req.deliver_cross_account_role.clone(),
                    log_format: log_format.clone(),
                    max_aggregation_interval: interval,
                    destination_options: destination_options.clone(),
                    creation_time: now,
                    client_token: req.client_token.clone(),
                    tags: req.tags.iter().cloned().collect(),
                },
            );
            out.flow_log_ids.push(id);
        }
        Ok(out)
    }

    /// The resource a flow log is asked for must exist in the caller's scope.
    fn check_flow_log_resource(
        &self,
        scope: &Scope,
        kind: FlowLogResource,
        id: &str,
    ) -> Result<()> {
        match kind {
            FlowLogResource::Vpc => self.vpcs.find(&kinds::VPC, scope, id).map(|_| ()),
            FlowLogResource::Subnet => self.subnets.find(&kinds::SUBNET, scope, id).map(|_| ()),
            FlowLogResource::NetworkInterface => {
                self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, id).map(|_| ())
            }
            FlowLogResource::TransitGateway => self.find_transit_gateway(scope, id).map(|_| ()),
            FlowLogResource::TransitGatewayAttachment => {
                self.find_tgw_attachment(scope, id).map(|_| ())
            }
            other => {
                let k = other.kind();
                k.check_format(id)?;
                Err(k.not_found(id))
            }
        }
    }

    /// LogDestinationType, LogDestination, LogGroupName and DeliverLogsPermissionArn, checked
    /// together as AWS checks them.
    fn flow_log_destination(&self, scope: &Scope, req: &NewFlowLogs) -> Result<Destination> {
        let dtype = req.log_destination_type.as_deref().unwrap_or("cloud-watch-logs");
        let group = req.log_group_name.as_deref();
        let dest = req.log_destination.as_deref();
        match dtype {
            "cloud-watch-logs" => {
                if req.deliver_logs_permission_arn.is_none() {
                    return Err(Error::invalid_parameter(
                        "DeliverLogsPermissionArn can't be empty if LogDestinationType is cloud-watch-logs.",
                    ));
                }
                match (group, dest) {
                    (Some(_), Some(_)) => Err(Error::invalid_parameter(
                        "Please only provide LogGroupName or only provide LogDestination.",
                    )),
                    (None, None) => Err(Error::invalid_parameter(
                        "LogDestination can't be empty if LogGroupName is not provided.",
                    )),
                    (Some(name), None) => {
                        check_log_group_name(name)?;
                        Ok(Destination::CloudWatchLogs {
                            arn: scope.arn("logs", &format!("log-group:{name}")),
                            log_group: name.to_owned(),
                        })
                    }
                    (None, Some(arn)) => {
                        let name = parse_arn(arn, "logs")
                            .and_then(|a| a.resource.strip_prefix("log-group:"))
                            .map(|n| n.strip_suffix(":*").unwrap_or(n))
                            .filter(|n| !n.is_empty())
                            .ok_or_else(|| invalid_destination(arn, dtype))?;
                        check_log_group_name(name)?;
                        Ok(Destination::CloudWatchLogs {
                            arn: arn.strip_suffix(":*").unwrap_or(arn).to_owned(),
                            log_group: name.to_owned(),
                        })
                    }
                }
            }
            "s3" | "kinesis-data-firehose" => {
                if group.is_some() {
                    return Err(Error::invalid_parameter(
                        "LogDestination type must be cloud-watch-logs if LogGroupName is provided.",
                    ));
                }
                let arn = dest.ok_or_else(|| {
                    Error::invalid_parameter(format!(
                        "LogDestination can't be empty if LogDestinationType is {dtype}."
                    ))
                })?;
                if dtype == "s3" {
                    if req.deliver_logs_permission_arn.is_some() {
                        return Err(Error::invalid_parameter(
                            "DeliverLogsPermissionArn is not applicable for s3 delivery.",
                        ));
                    }
                    let (bucket, prefix) = parse_s3_destination(arn)?;
                    Ok(Destination::S3 { arn: arn.to_owned(), bucket, prefix })
                } else {
                    parse_arn(arn, "firehose")
                        .and_then(|a| a.resource.strip_prefix("deliverystream/"))
                        .filter(|n| !n.is_empty())
                        .ok_or_else(|| invalid_destination(arn, dtype))?;
                    Ok(Destination::KinesisDataFirehose { arn: arn.to_owned() })
                }
            }
            other => Err(Error::invalid_parameter_value(format!(
                "Value ({other}) for parameter logDestinationType is invalid."
            ))),
        }
    }

    /// DeleteFlowLogs: ids of this scope are deleted; the others are reported in
    /// `unsuccessful` as AWS reports them.
    pub fn delete_flow_logs(&mut self, scope: &Scope, ids: &[String]) -> Result<FlowLogOutcome> {
        if ids.is_empty() {
            return Err(Error::missing_parameter("FlowLogId"));
        }
        let mut out = FlowLogOutcome::default();
        for id in ids {
            if self.flow_logs.get(id).is_some_and(|f| &f.owner == scope) {
                self.flow_logs.remove(id);
                out.flow_log_ids.push(id.clone());
            } else {
                out.unsuccessful.push((
                    id.clone(),
                    Error::new(
                        Ec2::InvalidFlowLogIdNotFound,
                        format!(
                            "These flow log ids in the input list are not found: [TotalCount: 1] {id}"
                        ),
                    ),
                ));
            }
        }
        Ok(out)
    }

    /// The flow logs that record traffic at an interface: its own, its subnet's and its VPC's,
    /// in id order. Empty for an unknown interface.
    pub fn flow_logs_for_interface(&self, eni_id: &str) -> Vec<&FlowLog> {
        let Some(eni) = self.network_interfaces.get(eni_id) else { return vec![] };
        self.flow_logs
            .values()
            .filter(|f| {
                f.resource_id == eni.id
                    || f.resource_id == eni.subnet_id
                    || f.resource_id == eni.vpc_id
            })
            .collect()
    }

    /// A record at an interface with what the interface tells: account, interface, VPC,
    /// subnet, attached instance, region and zone id. The engine fills in the traffic.
    pub fn flow_record_at(&self, eni_id: &str) -> Option<FlowRecord> {
        let eni = self.network_interfaces.get(eni_id)?;
        let subnet = self.subnets.get(&eni.subnet_id);
        Some(FlowRecord {
            account_id: Some(eni.owner.account.clone()),
            interface_id: Some(eni.id.clone()),
            vpc_id: Some(eni.vpc_id.clone()),
            subnet_id: Some(eni.subnet_id.clone()),
            instance_id: if eni.requester_managed {
                None
            } else {
                eni.attachment.as_ref().map(|a| a.instance_id.clone())
            },
            region: Some(eni.owner.region.clone()),
            az_id: subnet.map(|s| s.availability_zone_id.clone()),
            ..FlowRecord::default()
        })
    }

    /// Flow logs go away with the resource they watch.
    pub(crate) fn drop_flow_logs_of(&mut self, resource_id: &str) {
        for id in self.flow_logs.ids_where(|f| f.resource_id == resource_id) {
            self.flow_logs.remove(&id);
        }
    }
}

fn flow_log_destination_options(
    destination: &Destination,
    req: &NewFlowLogs,
) -> Result<Option<DestinationOptions>> {
    let is_s3 = matches!(destination, Destination::S3 { .. });
    match (&req.destination_options, is_s3) {
        (None, true) => Ok(Some(DestinationOptions::default())),
        (None, false) => Ok(None),
        (Some(_), false) => Err(Error::invalid_parameter(format!(
            "DestinationOptions is only supported for LogDestinationType s3, not {}.",
            destination.type_name()
        ))),
        (Some((format, hive, hourly)), true) => Ok(Some(DestinationOptions {
            file_format: match format.as_deref() {
                None | Some("plain-text") => FileFormat::PlainText,
                Some("parquet") => FileFormat::Parquet,
                Some(other) => {
                    return Err(Error::invalid_parameter_value(format!(
                        "Value ({other}) for parameter fileFormat is invalid."
                    )));
                }
            },
            hive_compatible_partitions: hive.unwrap_or(false),
            per_hour_partition: hourly.unwrap_or(false),
        })),
    }
}

/// The parts of an ARN this module reads.
struct Arn<'a> {
    resource: &'a str,
}

/// `arn:<partition>:<service>:<region>:<account>:<resource>` of the given service.
fn parse_arn<'a>(arn: &'a str, service: &str) -> Option<Arn<'a>> {
    let mut parts = arn.splitn(6, ':');
    let (scheme, partition, svc) = (parts.next()?, parts.next()?, parts.next()?);
    let (_region, _account, resource) = (parts.next()?, parts.next()?, parts.next()?);
    if scheme != "arn" || !partition.starts_with("aws") || svc != service {
        return None;
    }
    Some(Arn { resource })
}

fn invalid_destination(arn: &str, dtype: &str) -> Error {
    Error::invalid_parameter(format!("LogDestination: {arn} is not a valid {dtype} ARN."))
}

/// CloudWatch Logs group names: 1–512 characters of `[\.\-_/#A-Za-z0-9]`.
fn check_log_group_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 512
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_parameter(format!(
            "LogGroupName: {name} is not a valid log group name."
        )))
    }
}

/// `arn:aws:s3:::bucket[/folder/…]` → (bucket, folder without surrounding slashes).
fn parse_s3_destination(arn: &str) -> Result<(String, String)> {
    let invalid = || invalid_destination(arn, "s3");
    let a = parse_arn(arn, "s3").ok_or_else(invalid)?;
    // S3 ARNs carry neither region nor account.
    if !arn.contains(":s3:::") {
        return Err(invalid());
    }
    let (bucket, prefix) = match a.resource.split_once('/') {
        Some((b, p)) => (b, p.trim_matches('/')),
        None => (a.resource, ""),
    };
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
        && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !bucket_ok {
        return Err(invalid());
    }
    if prefix.split('/').any(|seg| seg == "AWSLogs") {
        return Err(Error::invalid_parameter(
            "LogDestination: the subfolder name AWSLogs is reserved and cannot be used.",
        ));
    }
    Ok((bucket.to_owned(), prefix.to_owned()))
}

impl References for FlowLog {
    /// The VPC, subnet or interface watched (a flow log goes away with it); transit gateway
    /// flow logs are not checked.
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        let kind = match crate::ids::prefix_of(&self.resource_id) {
            "vpc" => "vpc",
            "subnet" => "subnet",
            "eni" => "network_interface",
            _ => return,
        };
        each(Reference::new(kind, &self.resource_id, "ResourceId"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::world_with_subnet;

    const ROLE: &str = "arn:aws:iam::123456789012:role/flow";

    fn s3(resource_type: &str, ids: &[&str]) -> NewFlowLogs {
        NewFlowLogs {
            resource_type: resource_type.into(),
            resource_ids: ids.iter().map(|s| s.to_string()).collect(),
            traffic_type: Some("ALL".into()),
            log_destination_type: Some("s3".into()),
            log_destination: Some("arn:aws:s3:::my-bucket/logs/".into()),
            ..Default::default()
        }
    }

    fn cwl(ids: &[&str]) -> NewFlowLogs {
        NewFlowLogs {
            resource_type: "VPC".into(),
            resource_ids: ids.iter().map(|s| s.to_string()).collect(),
            traffic_type: Some("REJECT".into()),
            log_group_name: Some("my-group".into()),
            deliver_logs_permission_arn: Some(ROLE.into()),
            ..Default::default()
        }
    }

    fn code(r: Result<FlowLogOutcome>) -> String {
        r.unwrap_err().code.to_string()
    }

    #[test]
    fn creates_with_defaults_and_reads_back() {
        let (mut w, scope, vpc, _) = world_with_subnet("10.0.1.0/24");
        let out = w.create_flow_logs(&scope, s3("VPC", &[&vpc]), 1_000).unwrap();
        assert!(out.unsuccessful.is_empty());
        let fl = w.flow_logs.get(&out.flow_log_ids[0]).unwrap();
        assert!(fl.id.starts_with("fl-"));
        assert_eq!(fl.log_format, DEFAULT_LOG_FORMAT);
        assert_eq!(fl.max_aggregation_interval, 600);
        assert_eq!(
            fl.destination,
            Destination::S3 {
                arn: "arn:aws:s3:::my-bucket/logs/".into(),
                bucket: "my-bucket".into(),
                prefix: "logs".into()
            }
        );
        assert_eq!(fl.destination_options, Some(DestinationOptions::default()));
        assert_eq!(w.tags_of(&fl.id).unwrap().0, "vpc-flow-log");
    }

    #[test]
    fn cloud_watch_destination_from_group_name_or_arn() {
        let (mut w, scope, vpc, _) = world_with_subnet("10.0.1.0/24");
        let out = w.create_flow_logs(&scope, cwl(&[&vpc]), 0).unwrap();
        let fl = w.flow_logs.get(&out.flow_log_ids[0]).unwrap();
        assert_eq!(fl.destination.arn(), "arn:aws:logs:us-east-1:123456789012:log-group:my-group");
        assert_eq!(fl.destination.log_group(), Some("my-group"));
        assert_eq!(fl.destination_options, None);

        let mut req = cwl(&[&vpc]);
        req.log_group_name = None;
        req.log_destination = Some("arn:aws:logs:us-east-1:123456789012:log-group:other:*".into());
        let out = w.create_flow_logs(&scope, req, 0).unwrap();
        let fl = w.flow_logs.get(&out.flow_log_ids[0]).unwrap();
        assert_eq!(fl.destination.log_group(), Some("other"));
        assert_eq!(fl.destination.arn(), "arn:aws:logs:us-east-1:123456789012:log-group:other");
    }

    #[test]
    fn cloud_watch_parameter_rules() {
        let (mut w, scope, vpc, _) = world_with_subnet("10.0.1.0/24");
        let mut both = cwl(&[&vpc]);
        both.log_destination = Some("arn:aws:logs:us-east-1:123456789012:log-group:g".into());
        assert_eq!(code(w.create_flow_logs(&scope, both, 0)), "InvalidParameter");
        let mut neither = cwl(&[&vpc]);
        neither.log_group_name = None;
        let e = w.create_flow_logs(&scope, neither, 0).unwrap_err();
        assert_eq!(e.message, "LogDestination can't be empty if LogGroupName is not provided.");
        let mut no_role = cwl(&[&vpc]);
        no_role.deliver_logs_permission_arn = None;
        assert!(
            w.create_flow_logs(&scope, no_role, 0)
                .unwrap_err()
                .message
                .contains("DeliverLogsPermissionArn")
        );
        let mut bad_arn = cwl(&[&vpc]);
        bad_arn.log_group_name = None;
        bad_arn.log_destination = Some("arn:aws:s3:::bucket".into());
        assert_eq!(code(w.create_flow_logs(&scope, bad_arn, 0)), "InvalidParameter");
        let mut bad_name = cwl(&[&vpc]);
        bad_name.log_group_name = Some("no spaces".into());
        assert_eq!(code(w.create_flow_logs(&scope, bad_name, 0)), "InvalidParameter");
        let mut options = cwl(&[&vpc]);
        options.destination_options = Some((Some("parquet".into()), None, None));
        assert_eq!(code(w.create_flow_logs(&scope, options, 0)), "InvalidParameter");
    }

    #[test]
    fn s3_parameter_rules() {
        let (mut w, scope, vpc, _) = world_with_subnet("10.0.1.0/24");
        let mut with_group = s3("VPC", &[&vpc]);
        with_group.log_group_name = Some("g".into());
        assert_eq!(
            w.create_flow_logs(&scope, with_group, 0).unwrap_err().message,
            "LogDestination type must be cloud-watch-logs if LogGroupName is provided."
        );
        let mut missing = s3("VPC", &[&vpc]);
        missing.log_destination = None;
        assert_eq!(code(w.create_flow_logs(&scope, missing, 0)), "InvalidParameter");
        for bad in [
            "arn:aws:s3:::",
            "arn:aws:s3:::Bad_Bucket",
            "s3://bucket",
            "arn:aws:logs:us-east-1:1:log-group:x",
        ] {
            let mut req = s3("VPC", &[&vpc]);
            req.log_destination = Some(bad.into());
            assert_eq!(code(w.create_flow_logs(&scope, req, 0)), "InvalidParameter", "{bad}");
        }
        let mut reserved = s3("VPC", &[&vpc]);
        reserved.log_destination = Some("arn:aws:s3:::bucket/AWSLogs/".into());
        assert!(w.create_flow_logs(&scope, reserved, 0).unwrap_err().message.contains("AWSLogs"));
        let mut role = s3("VPC", &[&vpc]);
        role.deliver_logs_permission_arn = Some(ROLE.into());
        assert_eq!(code(w.create_flow_logs(&scope, role, 0)), "InvalidParameter");
        let mut options = s3("VPC", &[&vpc]);
        options.destination_options = Some((Some("parquet".into()), Some(true), Some(true)));
        let out = w.create_flow_logs(&scope, options, 0).unwrap();
        let o = w.flow_logs.get(&out.flow_log_ids[0]).unwrap().destination_options.clone().unwrap();
        assert_eq!(o.file_format, FileFormat::Parquet);
        assert!(o.hive_compatible_partitions && o.per_hour_partition);
    }

    #[test]
    fn firehose_destination() {
        let (mut w, scope, vpc, _) = world_with_subnet("10.0.1.0/24");
        let mut req = s3("VPC", &[&vpc]);
        req.log_destination_type = Some("kinesis-data-firehose".into());
        req.log_destination =
            Some("arn:aws:firehose:us-east-1:123456789012:deliverystream/flows".into());
        let out = w.create_flow_logs(&scope, req.clone(), 0).unwrap();
        let fl = w.flow_logs.get(&out.flow_log_ids[0]).unwrap();
        assert_eq!(fl.destination.type_name(), "kinesis-data-firehose");
        req.log_destination = Some("arn:aws:firehose:us-east-1:123456789012:stream/x".into());
        assert_eq!(code(w.create_flow_logs(&scope, req, 0)), "InvalidParameter");
    }

    #[test]
    fn traffic_type_interval_and_resource_type() {
        let (mut w, scope, vpc, _) = world_with_subnet("10.0.1.0/24");
        let mut no_traffic = s3("VPC", &[&vpc]);
        no_traffic.traffic_type = None;
        assert_eq!(code(w.create_flow_logs(&scope, no_traffic, 0)), "InvalidParameter");
        let mut bad_traffic = s3("VPC", &[&vpc]);
        bad_traffic.traffic_type = Some("SOME".into());
        assert_eq!(code(w.create_flow_logs(&scope, bad_traffic, 0)), "InvalidParameterValue");
        let mut interval = s3("VPC", &[&vpc]);
        interval.max_aggregation_interval = Some(300);
        assert_eq!(
            w.create_flow_logs(&scope, interval, 0).unwrap_err().message,
            "Invalid Flow Log Max Aggregation Interval"
        );
        let mut one_minute = s3("VPC", &[&vpc]);
        one_minute.max_aggregation_interval = Some(60);
        let out = w.create_flow_logs(&scope, one_minute, 0).unwrap();
        assert_eq!(w.flow_logs.get(&out.flow_log_ids[0]).unwrap().max_aggregation_interval, 60);
        assert_eq!(
            code(w.create_flow_logs(&scope, s3("Instance", &[&vpc]), 0)),
            "InvalidParameterValue"
        );
        assert_eq!(code(w.create_flow_logs(&scope, s3("VPC", &[]), 0)), "MissingParameter");
    }

    #[test]
    fn per_resource_failures_go_to_unsuccessful() {
        let (mut w, scope, vpc, subnet) = world_with_subnet("10.0.1.0/24");
        let out = w
            .create_flow_logs(
                &scope,
                s3("Subnet", &[&subnet, "subnet-12345678", "vpc-12345678", &subnet]),
                0,
            )
            .unwrap();
        assert_eq!(out.flow_log_ids.len(), 1);
        let codes: Vec<&str> = out.unsuccessful.iter().map(|(_, e)| e.code.as_str()).collect();
        assert_eq!(
            codes,
            ["InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed", "FlowLogAlreadyExists"]
        );
        assert_eq!(out.unsuccessful[0].0, "subnet-12345678");
        // Same resource and destination, another traffic type: a different flow log.
        let mut reject = s3("VPC", &[&vpc]);
        reject.traffic_type = Some("REJECT".into());
        w.create_flow_logs(&scope, reject.clone(), 0).unwrap();
        let again = w.create_flow_logs(&scope, reject, 0).unwrap();
        assert_eq!(again.unsuccessful[0].1.code, "FlowLogAlreadyExists");
        assert!(w.create_flow_logs(&scope, s3("VPC", &[&vpc]), 0).unwrap().unsuccessful.is_empty());
    }

    #[test]
    fn transit_gateways_and_their_attachments_have_flow_logs() {
        let (mut w, scope, vpc, subnet) = world_with_subnet("10.0.1.0/24");
        let tgw = w
            .create_transit_gateway(
                &scope,
                crate::types::ec2::transit_gateway::NewTransitGateway::default(),
                0,
            )
            .unwrap();
        let req = crate::types::ec2::transit_gateway::NewVpcAttachment {
            transit_gateway_id: tgw.clone(),
            vpc_id: vpc,
            subnet_ids: vec![subnet],
            ..Default::default()
        };
        let att = w.create_tgw_vpc_attachment(&scope, req, 0).unwrap();
        for (kind, id) in [("TransitGateway", &tgw), ("TransitGatewayAttachment", &att)] {
            let mut req = s3(kind, &[id]);
            req.traffic_type = None;
            let out = w.create_flow_logs(&scope, req, 0).unwrap();
            assert!(out.unsuccessful.is_empty(), "{:?}", out.unsuccessful);
            assert_eq!(out.flow_log_ids.len(), 1);
        }
        let mut req = s3("TransitGateway", &["tgw-0123456789abcdef0", "tgw-attach-12345678"]);
        req.traffic_type = None;
        let out = w.create_flow_logs(&scope, req, 0).unwrap();
        let codes: Vec<&str> = out.unsuccessful.iter().map(|(_, e)| e.code.as_str()).collect();
        assert_eq!(
            codes,
            ["InvalidTransitGatewayID.NotFound", "InvalidTransitGatewayID.Malformed"]
        );
        let mut attach = s3("TransitGatewayAttachment", &["tgw-attach-0123456789abcdef0"]);
        attach.traffic_type = None;
        let out = w.create_flow_logs(&scope, attach, 0).unwrap();
        assert_eq!(out.unsuccessful[0].1.code, "InvalidTransitGatewayAttachmentID.NotFound");
    }

    #[test]
    fn client_token_is_idempotent() {
        let (mut w, scope, vpc, _) = world_with_subnet("10.0.1.0/24");
        let mut req = s3("VPC", &[&vpc]);
        req.client_token = Some("tok".into());
        let a = w.create_flow_logs(&scope, req.clone(), 0).unwrap();
        let b = w.create_flow_logs(&scope, req, 0).unwrap();
        assert_eq!(a, b);
        assert_eq!(w.flow_logs.len(), 1);
    }

    #[test]
    fn log_format_validation() {
        let f = LogFormat::parse("${srcaddr} ${dstaddr} ${vpc-id}").unwrap();
        assert_eq!(f.version(), 3);
        assert_eq!(f.header(), "srcaddr dstaddr vpc-id");
        assert_eq!(f.to_string(), "${srcaddr} ${dstaddr} ${vpc-id}");
        assert_eq!(LogFormat::parse(DEFAULT_LOG_FORMAT).unwrap(), LogFormat::default());
        assert_eq!(LogFormat::default().version(), 2);
        let all: Vec<String> = Field::ALL.iter().map(|f| format!("${{{}}}", f.name())).collect();
        assert_eq!(LogFormat::parse(&all.join(" ")).unwrap().version(), 10);
        assert_eq!(Field::ALL.len(), 42);
        for bad in [
            "",
            "${version} ",
            " ${version}",
            "${version}  ${bytes}",
            "version",
            "${}",
            "${a}${b}",
            "$version",
        ] {
            let e = LogFormat::parse(bad).unwrap_err();
            assert_eq!(e.code, "InvalidParameterValue", "{bad:?}");
        }
        let e = LogFormat::parse("${version} ${nope} ${bytes}").unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("InvalidParameter", "Unknown fields provided: ${nope}")
        );

        let (mut w, scope, vpc, _) = world_with_subnet("10.0.1.0/24");
        let mut req = s3("VPC", &[&vpc]);
        req.log_format = Some("${version} ${foo}".into());
        assert_eq!(code(w.create_flow_logs(&scope, req, 0)), "InvalidParameter");
    }

    #[test]
    fn renders_as_aws_writes() {
        let record = FlowRecord {
            account_id: Some("123456789010".into()),
            interface_id: Some("eni-1235b8ca123456789".into()),
            srcaddr: Some("172.31.16.139".parse().unwrap()),
            dstaddr: Some("172.31.16.21".parse().unwrap()),
            srcport: Some(20641),
            dstport: Some(22),
            protocol: Some(6),
            packets: Some(20),
            bytes: Some(4249),
            start: 1418530010,
            end: 1418530070,
            action: Some(Action::Accept),
            ..Default::default()
        };
        assert_eq!(
            LogFormat::default().render(&record),
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
        );
        let custom = LogFormat::parse(
            "${version} ${vpc-id} ${flow-direction} ${tcp-flags} ${reject-reason}",
        )
        .unwrap();
        let r = FlowRecord { flow_direction: Some(FlowDirection::Egress), ..record };
        assert_eq!(render(&custom, &r), "8 - egress - -");
        let nodata = FlowRecord { log_status: LogStatus::NoData, ..Default::default() };
        assert_eq!(LogFormat::default().render(&nodata), "2 - - - - - - - - - 0 0 - NODATA");
    }

    #[test]
    fn wants_by_traffic_type() {
        let (mut w, scope, vpc, _) = world_with_subnet("10.0.1.0/24");
        let id = w.create_flow_logs(&scope, cwl(&[&vpc]), 0).unwrap().flow_log_ids.remove(0);
        let fl = w.flow_logs.get(&id).unwrap().clone();
        assert!(fl.wants(Action::Reject) && !fl.wants(Action::Accept));
        let all = FlowLog { traffic_type: TrafficType::All, ..fl.clone() };
        assert!(all.wants(Action::Reject) && all.wants(Action::Accept));
        let acc = FlowLog { traffic_type: TrafficType::Accept, ..fl };
        assert!(!acc.wants(Action::Reject) && acc.wants(Action::Accept));
    }

    #[test]
    fn interface_sees_its_own_its_subnets_and_its_vpcs_flow_logs() {
        let (mut w, scope, vpc, subnet) = world_with_subnet("10.0.1.0/24");
        let eni = w
            .create_network_interface(
                &scope,
                crate::types::ec2::eni::NewInterface {
                    subnet_id: subnet.clone(),
                    ..Default::default()
                },
            )
            .unwrap();
        let other_subnet = w.create_subnet(&scope, &vpc, "10.0.2.0/24", None, None, &[]).unwrap();
        let a = w.create_flow_logs(&scope, s3("VPC", &[&vpc]), 0).unwrap().flow_log_ids;
        let b = w
            .create_flow_logs(&scope, s3("Subnet", &[&subnet, &other_subnet]), 0)
            .unwrap()
            .flow_log_ids;
        let c =
            w.create_flow_logs(&scope, s3("NetworkInterface", &[&eni]), 0).unwrap().flow_log_ids;
        let mut expected = vec![a[0].clone(), b[0].clone(), c[0].clone()];
        expected.sort();
        let seen: Vec<String> =
            w.flow_logs_for_interface(&eni).iter().map(|f| f.id.clone()).collect();
        assert_eq!(seen, expected);
        assert!(w.flow_logs_for_interface("eni-12345678").is_empty());

        let rec = w.flow_record_at(&eni).unwrap();
        assert_eq!(rec.vpc_id.as_deref(), Some(vpc.as_str()));
        assert_eq!(rec.az_id.as_deref(), Some("use1-az1"));
        assert_eq!(rec.account_id.as_deref(), Some("123456789012"));

        // Flow logs go with the resource they watch.
        w.delete_network_interface(&scope, &eni).unwrap();
        assert!(w.flow_logs.get(&c[0]).is_none());
        w.delete_subnet(&scope, &other_subnet).unwrap();
        assert!(w.flow_logs.get(&b[1]).is_none());
        w.delete_subnet(&scope, &subnet).unwrap();
        w.delete_vpc(&scope, &vpc).unwrap();
        assert!(w.flow_logs.is_empty());
    }

    #[test]
    fn delete_reports_unknown_ids() {
        let (mut w, scope, vpc, _) = world_with_subnet("10.0.1.0/24");
        let id = w.create_flow_logs(&scope, s3("VPC", &[&vpc]), 0).unwrap().flow_log_ids.remove(0);
        let out = w.delete_flow_logs(&scope, &[id.clone(), "fl-12345678".into()]).unwrap();
        assert_eq!(out.flow_log_ids, std::slice::from_ref(&id));
        assert_eq!(out.unsuccessful[0].0, "fl-12345678");
        assert_eq!(out.unsuccessful[0].1.code, "InvalidFlowLogId.NotFound");
        let out = w.delete_flow_logs(&scope, &[id]).unwrap();
        assert_eq!(out.unsuccessful.len(), 1);
        let other = Scope::new("210987654321", "us-east-1");
        assert_eq!(w.delete_flow_logs(&other, &[]).unwrap_err().code, "MissingParameter");
    }
}

//! VPC flow log operations: CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs.
//!
//! Per-resource failures travel in `unsuccessful` with HTTP 200, as AWS answers them;
//! request-level mistakes are errors.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, describe, in_scope};
use super::filter::{Table, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::World;
use model::flow_log::{self as fl, NewFlowLogs};
use shapes::ec2::*;
use wire::Timestamp;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateFlowLogs", write(create_flow_logs)),
        ("DescribeFlowLogs", read(describe_flow_logs)),
        ("DeleteFlowLogs", write(delete_flow_logs)),
    ]
}

/// A flow log as DescribeFlowLogs shows it.
pub(super) fn render_flow_log(f: &fl::FlowLog) -> FlowLog {
    FlowLog {
        creation_time: Some(Timestamp(f.creation_time)),
        deliver_cross_account_role: f.deliver_cross_account_role.clone(),
        deliver_logs_error_message: None,
        deliver_logs_permission_arn: f.deliver_logs_permission_arn.clone(),
        deliver_logs_status: Some("SUCCESS".into()),
        destination_options: f.destination_options.as_ref().map(|o| DestinationOptionsResponse {
            file_format: Some(o.file_format.as_str().into()),
            hive_compatible_partitions: Some(o.hive_compatible_partitions),
            per_hour_partition: Some(o.per_hour_partition),
        }),
        flow_log_id: Some(f.id.clone()),
        flow_log_status: Some("ACTIVE".into()),
        log_destination: Some(f.destination.arn().to_owned()),
        log_destination_type: Some(f.destination.type_name().into()),
        log_format: Some(f.log_format.clone()),
        log_group_name: f.destination.log_group().map(str::to_owned),
        max_aggregation_interval: Some(f.max_aggregation_interval),
        resource_id: Some(f.resource_id.clone()),
        tags: tag_set(&f.tags),
        traffic_type: Some(f.traffic_type.as_str().into()),
    }
}

fn unsuccessful(items: Vec<(String, model::Error)>) -> Vec<UnsuccessfulItem> {
    items
        .into_iter()
        .map(|(resource_id, e)| UnsuccessfulItem {
            error: Some(UnsuccessfulItemError {
                code: Some(e.code.to_string()),
                message: Some(e.message),
            }),
            resource_id: Some(resource_id),
        })
        .collect()
}

fn create_flow_logs(
    ctx: &Ctx,
    w: &mut World,
    req: CreateFlowLogsRequest,
) -> Outcome<CreateFlowLogsResult> {
    let tags = tags_for(&req.tag_specifications, "vpc-flow-log")?;
    let new = NewFlowLogs {
        resource_type: req.resource_type,
        resource_ids: req.resource_ids,
        traffic_type: req.traffic_type,
        log_destination_type: req.log_destination_type,
        log_destination: req.log_destination,
        log_group_name: req.log_group_name,
        deliver_logs_permission_arn: req.deliver_logs_permission_arn,
        deliver_cross_account_role: req.deliver_cross_account_role,
        log_format: req.log_format,
        max_aggregation_interval: req.max_aggregation_interval,
        destination_options: req
            .destination_options
            .map(|o| (o.file_format, o.hive_compatible_partitions, o.per_hour_partition)),
        client_token: req.client_token.clone(),
        tags,
    };
    let out = w.create_flow_logs(&ctx.scope, new, Timestamp::now().0)?;
    Ok(CreateFlowLogsResult {
        client_token: req.client_token,
        flow_log_ids: out.flow_log_ids,
        unsuccessful: unsuccessful(out.unsuccessful),
    })
}

fn delete_flow_logs(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteFlowLogsRequest,
) -> Outcome<DeleteFlowLogsResult> {
    let out = w.delete_flow_logs(&ctx.scope, &req.flow_log_ids)?;
    Ok(DeleteFlowLogsResult { unsuccessful: unsuccessful(out.unsuccessful) })
}

pub(super) const FILTERS: Table<fl::FlowLog> = table![
    "deliver-log-status" => |_| one("SUCCESS"),
    "log-destination-type" => |f| one(f.destination.type_name()),
    "flow-log-id" => |f| one(&f.id),
    "log-group-name" => |f| f.destination.log_group().map(str::to_owned).into_iter().collect(),
    "resource-id" => |f| one(&f.resource_id),
    "traffic-type" => |f| one(f.traffic_type.as_str()),
];

/// Unknown ids are not an error: AWS answers with the flow logs that exist (Terraform reads an
/// empty list as a deleted flow log).
fn describe_flow_logs(
    ctx: &Ctx,
    w: &World,
    req: DescribeFlowLogsRequest,
) -> Outcome<DescribeFlowLogsResult> {
    let ask = Ask::new(&req.filter, &req.flow_log_ids, req.max_results, &req.next_token, (1, 1000));
    let (items, next_token) = describe(
        ask,
        FILTERS,
        |_| Ok(in_scope(&w.flow_logs, w, &ctx.scope)),
        |r| render_flow_log(r.item),
    )?;
    Ok(DescribeFlowLogsResult { flow_logs: items, next_token })
}

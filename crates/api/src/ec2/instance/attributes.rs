//! Instance attributes and metadata options: ModifyInstanceAttribute,
//! DescribeInstanceAttribute, ModifyInstanceMetadataOptions.

use super::*;
use codes::Ec2;

pub(super) fn modify_instance_attribute(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyInstanceAttributeRequest,
) -> Outcome<ReturnTrue> {
    let mut list = Vec::new();
    if !req.groups.is_empty() {
        list.push(InstanceChange::Groups(req.groups.clone()));
    }
    if let Some(v) = attr_value(&req.source_dest_check, "SourceDestCheck")? {
        list.push(InstanceChange::SourceDestCheck(v));
    }
    if let Some(v) = attr_value(&req.disable_api_termination, "DisableApiTermination")? {
        list.push(InstanceChange::DisableApiTermination(v));
    }
    if let Some(v) = attr_value(&req.disable_api_stop, "DisableApiStop")? {
        list.push(InstanceChange::DisableApiStop(v));
    }
    if let Some(v) = attr_value(&req.ebs_optimized, "EbsOptimized")? {
        list.push(InstanceChange::EbsOptimized(v));
    }
    if let Some(v) = &req.instance_type {
        let t = v.value.clone().ok_or_else(|| ApiError::missing_parameter("InstanceType.Value"))?;
        list.push(InstanceChange::InstanceType(t));
    }
    if let Some(v) = &req.instance_initiated_shutdown_behavior {
        let b = v.value.clone().ok_or_else(|| {
            ApiError::missing_parameter("InstanceInitiatedShutdownBehavior.Value")
        })?;
        list.push(InstanceChange::ShutdownBehavior(b));
    }
    if let Some(v) = &req.user_data {
        list.push(InstanceChange::UserData(v.value.clone().unwrap_or_default()));
    }
    for b in &req.block_device_mappings {
        let device = b
            .device_name
            .clone()
            .ok_or_else(|| ApiError::missing_parameter("BlockDeviceMapping.N.DeviceName"))?;
        if let Some(d) = b.ebs.as_ref().and_then(|e| e.delete_on_termination) {
            list.push(InstanceChange::DeleteOnTermination(device, d));
        }
    }
    // The older form: Attribute=<name>&Value=<value>.
    if let Some(attr) = &req.attribute {
        let value = req.value.clone().ok_or_else(|| ApiError::missing_parameter("Value"))?;
        let as_bool = || match value.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            v => Err(ApiError::invalid_parameter_value(format!(
                "Value ({v}) for parameter value is invalid."
            ))),
        };
        list.push(match attr.as_str() {
            "instanceType" => InstanceChange::InstanceType(value.clone()),
            "userData" => InstanceChange::UserData(value.clone()),
            "instanceInitiatedShutdownBehavior" => InstanceChange::ShutdownBehavior(value.clone()),
            "disableApiTermination" => InstanceChange::DisableApiTermination(as_bool()?),
            "disableApiStop" => InstanceChange::DisableApiStop(as_bool()?),
            "sourceDestCheck" => InstanceChange::SourceDestCheck(as_bool()?),
            "ebsOptimized" => InstanceChange::EbsOptimized(as_bool()?),
            other => {
                return Err(ApiError::invalid_parameter_value(format!(
                    "Value ({other}) for parameter attribute is invalid. Unknown attribute."
                ))
                .into());
            }
        });
    }
    if req.ena_support.is_some()
        || req.sriov_net_support.is_some()
        || req.kernel.is_some()
        || req.ramdisk.is_some()
    {
        w.instances.find(&kinds::INSTANCE, &ctx.scope, &req.instance_id)?;
        return Err(ApiError::client(
            Ec2::UnsupportedOperation,
            "This attribute is not supported by vpclab.",
        )
        .into());
    }
    w.instances.find(&kinds::INSTANCE, &ctx.scope, &req.instance_id)?;
    let block_devices = list.iter().all(|c| matches!(c, InstanceChange::DeleteOnTermination(..)));
    if list.is_empty() {
        return Err(ApiError::missing_parameter("Attribute").into());
    }
    if list.len() > 1 && !block_devices {
        return Err(ApiError::client(
            Ec2::InvalidParameterCombination,
            "Fields for multiple attribute types specified",
        )
        .into());
    }
    for c in list {
        w.modify_instance(&ctx.scope, &req.instance_id, c)?;
    }
    Ok(ReturnTrue)
}

pub(super) fn describe_instance_attribute(
    ctx: &Ctx,
    w: &World,
    req: DescribeInstanceAttributeRequest,
) -> Outcome<InstanceAttribute> {
    let i = w.instances.find(&kinds::INSTANCE, &ctx.scope, &req.instance_id)?;
    let primary = w
        .interfaces_of(&i.id)
        .into_iter()
        .find(|e| e.attachment.as_ref().is_some_and(|a| a.device_index == 0));
    let mut out = InstanceAttribute { instance_id: Some(i.id.clone()), ..Default::default() };
    let value = |s: &str| Some(AttributeValue { value: Some(s.to_owned()) });
    match req.attribute.as_str() {
        "instanceType" => out.instance_type = value(&i.instance_type),
        "kernel" => out.kernel_id = Some(AttributeValue { value: None }),
        "ramdisk" => out.ramdisk_id = Some(AttributeValue { value: None }),
        "userData" => out.user_data = Some(AttributeValue { value: i.user_data.clone() }),
        "disableApiTermination" => {
            out.disable_api_termination = attr_bool(i.disable_api_termination)
        }
        "disableApiStop" => out.disable_api_stop = attr_bool(i.disable_api_stop),
        "instanceInitiatedShutdownBehavior" => {
            out.instance_initiated_shutdown_behavior =
                value(&i.instance_initiated_shutdown_behavior)
        }
        "rootDeviceName" => out.root_device_name = value(&i.root_device_name),
        "blockDeviceMapping" => out.block_device_mappings = block_devices(w, i),
        "productCodes" => {}
        "sourceDestCheck" => {
            out.source_dest_check = attr_bool(primary.is_none_or(|e| e.source_dest_check))
        }
        "groupSet" => {
            out.groups =
                primary.map(|e| group_identifiers(w, &e.security_groups)).unwrap_or_default()
        }
        "ebsOptimized" => out.ebs_optimized = attr_bool(i.ebs_optimized),
        "sriovNetSupport" => out.sriov_net_support = Some(AttributeValue { value: None }),
        "enaSupport" => out.ena_support = attr_bool(true),
        "enclaveOptions" => out.enclave_options = Some(EnclaveOptions { enabled: Some(false) }),
        other => {
            return Err(ApiError::invalid_parameter_value(format!(
                "Value ({other}) for parameter attribute is invalid. Unknown attribute."
            ))
            .into());
        }
    }
    Ok(out)
}

pub(super) fn modify_instance_metadata_options(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyInstanceMetadataOptionsRequest,
) -> Outcome<ModifyInstanceMetadataOptionsResult> {
    if req.http_protocol_ipv6.as_deref() == Some("enabled") {
        return Err(ApiError::invalid_parameter_value(
            "The IPv6 metadata endpoint is not supported by vpclab.",
        )
        .into());
    }
    w.modify_instance_metadata(
        &ctx.scope,
        &req.instance_id,
        req.http_tokens,
        req.http_endpoint,
        req.http_put_response_hop_limit,
        req.instance_metadata_tags,
    )?;
    let i = w.instances.find(&kinds::INSTANCE, &ctx.scope, &req.instance_id)?;
    let mut shown = metadata(i);
    shown.state = Some("pending".into());
    Ok(ModifyInstanceMetadataOptionsResult {
        instance_id: Some(i.id.clone()),
        instance_metadata_options: Some(shown),
    })
}

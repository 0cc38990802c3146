"""Every Describe filter the botocore documentation gives works: generated from the EC2 model.

For each EC2 operation vpclab serves (crates/codegen/operations/ec2.txt) that takes `Filters`,
the filter names its botocore documentation lists — and the alternate spellings it documents
("You can also use `availabilityZone` as the filter name") — are each sent with the value `*`.
None may be refused as an unknown filter, except the names in NOT_MODELLED, which describe
catalogue details vpclab does not model (each refused with AWS's own "filter is invalid").
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import botocore
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
OPERATIONS = Path(__file__).resolve().parents[2] / "crates" / "codegen" / "operations" / "ec2.txt"
MODEL = Path(botocore.__file__).parent / "data" / "ec2" / "2016-11-15" / "service-2.json.gz"

# Filter names AWS documents that describe what vpclab's built-in instance-type and image
# catalogues do not hold (EBS, storage, accelerator and processor details; image provenance):
# vpclab refuses them as unknown filters rather than answer from data it does not have.
NOT_MODELLED: dict[str, set[str]] = {
    "DescribeImages": {
        "block-device-mapping.delete-on-termination",
        "block-device-mapping.device-name",
        "block-device-mapping.encrypted",
        "block-device-mapping.snapshot-id",
        "block-device-mapping.volume-size",
        "block-device-mapping.volume-type",
        "creation-date",
        "description",
        "ena-support",
        "free-tier-eligible",
        "hypervisor",
        "image-allowed",
        "kernel-id",
        "manifest-location",
        "platform",
        "product-code",
        "product-code.type",
        "ramdisk-id",
        "source-image-id",
        "source-image-region",
        "source-instance-id",
        "sriov-net-support",
        "state-reason-code",
        "state-reason-message",
    },
    "DescribeInstanceTypes": {
        "auto-recovery-supported",
        "bare-metal",
        "dedicated-hosts-supported",
        "ebs-info.attachment-limit-type",
        "ebs-info.ebs-optimized-info.baseline-bandwidth-in-mbps",
        "ebs-info.ebs-optimized-info.baseline-iops",
        "ebs-info.ebs-optimized-info.baseline-throughput-in-mbps",
        "ebs-info.ebs-optimized-info.maximum-bandwidth-in-mbps",
        "ebs-info.ebs-optimized-info.maximum-iops",
        "ebs-info.ebs-optimized-info.maximum-throughput-in-mbps",
        "ebs-info.ebs-optimized-support",
        "ebs-info.encryption-support",
        "ebs-info.maximum-ebs-attachments",
        "ebs-info.nvme-support",
        "hibernation-supported",
        "instance-storage-info.disk.count",
        "instance-storage-info.disk.size-in-gb",
        "instance-storage-info.disk.type",
        "instance-storage-info.encryption-support",
        "instance-storage-info.nvme-support",
        "instance-storage-info.total-size-in-gb",
        "instance-storage-supported",
        "network-info.bandwidth-weightings",
        "network-info.efa-info.maximum-efa-interfaces",
        "network-info.efa-supported",
        "network-info.ena-support",
        "network-info.encryption-in-transit-supported",
        "network-info.flexible-ena-queues-support",
        "network-info.ipv6-addresses-per-interface",
        "network-info.ipv6-supported",
        "network-info.maximum-network-cards",
        "network-info.network-performance",
        "nitro-enclaves-support",
        "nitro-tpm-info.supported-versions",
        "nitro-tpm-support",
        "processor-info.supported-features",
        "processor-info.sustained-clock-speed-in-ghz",
        "reboot-migration-support",
        "supported-boot-mode",
        "supported-root-device-type",
        "supported-usage-class",
        "supported-virtualization-type",
        "vcpu-info.default-cores",
        "vcpu-info.default-threads-per-core",
        "vcpu-info.valid-cores",
        "vcpu-info.valid-threads-per-core",
    },
}

# Operations whose other required parameters the fixture supplies.
NEEDS = {
    "GetTransitGatewayPrefixListReferences": {"TransitGatewayRouteTableId": "tgw_rtb"},
    "GetTransitGatewayRouteTableAssociations": {"TransitGatewayRouteTableId": "tgw_rtb"},
    "GetTransitGatewayRouteTablePropagations": {"TransitGatewayRouteTableId": "tgw_rtb"},
    "SearchTransitGatewayRoutes": {"TransitGatewayRouteTableId": "tgw_rtb"},
    "GetSubnetCidrReservations": {"SubnetId": "subnet"},
    "DescribeClientVpnAuthorizationRules": {"ClientVpnEndpointId": "cvpn"},
    "DescribeClientVpnConnections": {"ClientVpnEndpointId": "cvpn"},
    "DescribeClientVpnRoutes": {"ClientVpnEndpointId": "cvpn"},
    "DescribeClientVpnTargetNetworks": {"ClientVpnEndpointId": "cvpn"},
    "DescribeVpcEndpointServicePermissions": {"ServiceId": "vpce_svc"},
}


def _documented(doc: str) -> list[str]:
    """The filter names of a `Filters` member's documentation, with its alternate spellings."""
    names = []
    for item in re.findall(r"<li>(.*?)</li>", doc, flags=re.S):
        first = re.match(r"\s*<p>\s*<code>([^<]+)</code>", item)
        if not first or first.group(1).startswith("tag"):
            continue  # tag:<key>, tag-key and tag-value are generic
        names.append(first.group(1).strip())
        also = re.search(r"You can also use (.*?) as the filter name", item)
        if also:
            names += [n.strip() for n in re.findall(r"<code>([^<]+)</code>", also.group(1))]
    return names


def _cases() -> list[tuple[str, str, str]]:
    model = json.loads(gzip.decompress(MODEL.read_bytes()))
    served = [line.strip() for line in OPERATIONS.read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    cases = []
    for op in served:
        shape = model["shapes"][model["operations"][op]["input"]["shape"]]
        for member in ("Filters", "Filter"):
            if member in shape["members"]:
                for name in _documented(shape["members"][member].get("documentation", "")):
                    cases.append((op, member, name))
    return cases


CASES = _cases()


def _not_modelled(op: str, name: str) -> bool:
    return name in NOT_MODELLED.get(op, ())


@pytest.fixture
def ids(ec2, elbv2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    subnet2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    tgw_rtb = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw)[
        "TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    cvpn = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="172.16.0.0/22", ServerCertificateArn=CERT, ConnectionLogOptions={"Enabled": False},
        AuthenticationOptions=[{"Type": "certificate-authentication",
                                "MutualAuthentication": {"ClientRootCertificateChainArn": CERT}}],
    )["ClientVpnEndpointId"]
    nlb = elbv2.create_load_balancer(Name="filters", Type="network", Scheme="internal",
                                     Subnets=[subnet, subnet2])["LoadBalancers"][0]["LoadBalancerArn"]
    vpce_svc = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb])["ServiceConfiguration"]["ServiceId"]
    return {"subnet": subnet, "tgw_rtb": tgw_rtb, "cvpn": cvpn, "vpce_svc": vpce_svc}


def test_the_model_documents_filters():
    # The generation itself is checked: the model still documents what this test reads.
    assert len(CASES) > 500
    assert ("DescribeSubnets", "Filters", "availabilityZone") in CASES
    assert ("DescribeVpcs", "Filters", "is-default") in CASES


def test_every_documented_filter_is_known(ec2, ids):
    refused, accepted_not_modelled = [], []
    for op, member, name in CASES:
        params = {member: [{"Name": name, "Values": ["*"]}]}
        params.update({k: ids[v] for k, v in NEEDS.get(op, {}).items()})
        try:
            getattr(ec2, xform_name(op))(**params)
            if _not_modelled(op, name):
                accepted_not_modelled.append((op, name))
        except ClientError as e:
            error = e.response["Error"]
            unknown = error["Code"] == "InvalidParameterValue" and f"The filter '{name}' is invalid" in error["Message"]
            if unknown and not _not_modelled(op, name):
                refused.append((op, name))
            elif not unknown and name not in error["Message"]:
                # A refusal of the value `*` must be about this filter (route-search.* want a
                # CIDR block); anything else means the call never reached the filter.
                refused.append((op, name, error["Code"], error["Message"]))
    assert refused == [], "\n".join(map(str, refused))
    # The exceptions must stay exceptions: a name that starts working leaves the list.
    assert accepted_not_modelled == []


def test_camel_case_spellings_aws_accepts(ec2):
    """`isDefault` is not in botocore's text but AWS accepts it, as moto's suite relies on."""
    default = [v["VpcId"] for v in ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]]
    assert default == [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"]]
    assert len(default) == 1


def test_instance_filters_read_the_instance_and_its_interfaces(ec2):
    """The names DescribeInstances shares with DescribeNetworkInterfaces read the same values."""
    from vpclab_helpers import create_network, run_instance

    net = create_network(ec2)
    instance = run_instance(ec2, net.subnet_id)
    eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.create_tags(Resources=[eni], Tags=[{"Key": "role", "Value": "web"}])

    def ids(name, value):
        r = ec2.describe_instances(Filters=[{"Name": name, "Values": [value]}])["Reservations"]
        return [i["InstanceId"] for res in r for i in res["Instances"]]

    me = [instance["InstanceId"]]
    assert ids("network-interface.tag-key", "role") == me
    assert ids("network-interface.tag-value", "web") == me
    assert ids("network-interface.tag-value", "db") == []
    assert ids("network-interface.attachment.network-card-index", "0") == me
    assert ids("network-interface.addresses.private-dns-name", instance["PrivateDnsName"]) == me
    assert ids("launch-time", instance["LaunchTime"].strftime("%Y-%m-%dT%H:%M:%S*")) == me
    assert ids("platform", "windows") == []
    assert ids("operator.managed", "false") == me
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "operator.managed", "Values": ["false"]}])
    assert eni in [e["NetworkInterfaceId"] for e in enis["NetworkInterfaces"]]

"""Route 53 Resolver end to end with boto3 (awsJson 1.1, `Route53Resolver.*`): an OUTBOUND
endpoint in two subnets (its addresses are requester-managed interfaces EC2 lists), a FORWARD
rule for corp.internal whose target is a tiny DNS server this test runs on 127.0.0.1 (standing
for on premises: vpclab accepts loopback targets), associated with the VPC.  Then `dig` on the
VPC's resolver (/_vpclab/endpoints) gets the on-premises answer, relayed with RA and without AA;
the public listener REFUSEs the name; after disassociation the VPC resolver REFUSEs it too.

Skipped when `dig` is not on PATH.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from dns_helpers import ON_PREM_ANSWER, OnPremDns, dig, public_dns_port, requires_dig, vpc_dns_port
from vpclab_helpers import wait_until

pytestmark = requires_dig


@pytest.fixture
def onprem():
    server = OnPremDns()
    yield server
    server.close()


@pytest.fixture
def resolver(client_factory):
    return client_factory("route53resolver")


def test_forwarding_rule_sends_the_vpc_resolver_to_on_premises(endpoint, ec2, resolver, onprem):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")
               ["Subnet"]["SubnetId"] for i, az in ((1, "a"), (2, "b"))]
    sg = ec2.create_security_group(GroupName="dns-out", Description="outbound DNS", VpcId=vpc)["GroupId"]

    ep = resolver.create_resolver_endpoint(
        CreatorRequestId="e2e-out", Name="to-dc", Direction="OUTBOUND", SecurityGroupIds=[sg],
        IpAddresses=[{"SubnetId": subnets[0]}, {"SubnetId": subnets[1], "Ip": "10.0.2.53"}],
    )["ResolverEndpoint"]
    assert ep["Status"] == "OPERATIONAL" and ep["HostVPCId"] == vpc and ep["IpAddressCount"] == 2, ep
    ips = resolver.list_resolver_endpoint_ip_addresses(ResolverEndpointId=ep["Id"])["IpAddresses"]
    assert sorted(ip["SubnetId"] for ip in ips) == sorted(subnets) and "10.0.2.53" in {ip["Ip"] for ip in ips}
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]
    assert {e["PrivateIpAddress"] for e in enis} == {ip["Ip"] for ip in ips}
    assert all(e["RequesterManaged"] and [g["GroupId"] for g in e["Groups"]] == [sg] for e in enis), enis

    rule = resolver.create_resolver_rule(
        CreatorRequestId="e2e-rule", Name="corp", RuleType="FORWARD", DomainName="corp.internal",
        TargetIps=[{"Ip": "127.0.0.1", "Port": onprem.port}], ResolverEndpointId=ep["Id"],
    )["ResolverRule"]
    assert rule["DomainName"] == "corp.internal." and rule["Status"] == "COMPLETE", rule
    assoc = resolver.associate_resolver_rule(ResolverRuleId=rule["Id"], VPCId=vpc)["ResolverRuleAssociation"]
    assert assoc["Status"] == "COMPLETE", assoc

    inside = vpc_dns_port(endpoint, vpc)
    answer = wait_until(lambda: (a := dig(inside, "db.corp.internal", "A")).data("A") and a,
                        timeout=5, interval=0.1, desc="the forwarded answer")
    assert answer.data("A") == [ON_PREM_ANSWER], answer
    assert answer.status == "NOERROR" and "ra" in answer.flags and not answer.aa, answer
    public = dig(public_dns_port(endpoint), "db.corp.internal", "A")
    assert public.status == "REFUSED" and public.answer == [], public

    # In use: neither the rule nor its endpoint can go.
    with pytest.raises(ClientError) as e:
        resolver.delete_resolver_rule(ResolverRuleId=rule["Id"])
    assert e.value.response["Error"]["Code"] == "ResourceInUseException"
    with pytest.raises(ClientError) as e:
        resolver.delete_resolver_endpoint(ResolverEndpointId=ep["Id"])
    assert e.value.response["Error"]["Code"] == "InvalidRequestException"

    resolver.disassociate_resolver_rule(ResolverRuleId=rule["Id"], VPCId=vpc)
    wait_until(lambda: dig(inside, "db.corp.internal", "A").status == "REFUSED", timeout=5, interval=0.1,
               desc="the VPC resolver to stop forwarding")
    resolver.delete_resolver_rule(ResolverRuleId=rule["Id"])
    resolver.delete_resolver_endpoint(ResolverEndpointId=ep["Id"])
    assert ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"] == []

"""Network Access Analyzer's access scopes through boto3: created from the guide's example scopes,
read back unchanged, listed, tagged, deleted; malformed scopes refused with EC2's codes.

Sources (see /work/notes/naa.md): the EC2 API reference and botocore's model for the shapes; the
Network Access Analyzer guide ("Match conditions", "Exclusion conditions", "Resource statements",
"Packet header statements", "Example Network Access Scopes") for what a scope may say.
Analyses of a scope are in test_access_analyses.py.
"""

from __future__ import annotations

import re

import pytest

from vpclab_helpers import DEFAULT_ACCOUNT, DEFAULT_REGION, all_pages, aws_error

SCOPE_ID = re.compile(r"^nis-[0-9a-f]{17}$")


@pytest.fixture
def network(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    return {"vpc": vpc, "subnet": subnet, "igw": igw}


def igw_ingress():
    """The guide's "all IGW ingress" example: from any internet gateway."""
    return [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}]


def test_a_scope_comes_back_as_it_was_sent(ec2, network):
    match = [
        {
            "Source": {"ResourceStatement": {"Resources": [network["subnet"]]}},
            "Destination": {
                "PacketHeaderStatement": {"DestinationPorts": ["22", "1024-2048"], "Protocols": ["tcp"]},
                "ResourceStatement": {"Resources": [network["vpc"]]},
            },
        }
    ]
    exclude = [{"ThroughResources": [{"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NatGateway"]}}]}]
    out = ec2.create_network_insights_access_scope(
        MatchPaths=match,
        ExcludePaths=exclude,
        TagSpecifications=[
            {"ResourceType": "network-insights-access-scope", "Tags": [{"Key": "Name", "Value": "ssh"}]}
        ],
    )
    scope = out["NetworkInsightsAccessScope"]
    scope_id = scope["NetworkInsightsAccessScopeId"]
    assert SCOPE_ID.match(scope_id)
    assert scope["NetworkInsightsAccessScopeArn"] == (
        f"arn:aws:ec2:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:network-insights-access-scope/{scope_id}"
    )
    assert scope["CreatedDate"] == scope["UpdatedDate"]
    assert scope["Tags"] == [{"Key": "Name", "Value": "ssh"}]
    content = ec2.get_network_insights_access_scope_content(NetworkInsightsAccessScopeId=scope_id)[
        "NetworkInsightsAccessScopeContent"
    ]
    assert content == out["NetworkInsightsAccessScopeContent"]
    assert content["NetworkInsightsAccessScopeId"] == scope_id
    assert content["MatchPaths"] == match
    assert content["ExcludePaths"] == exclude

    second = ec2.create_network_insights_access_scope(MatchPaths=igw_ingress())["NetworkInsightsAccessScope"]
    pages = all_pages(ec2.describe_network_insights_access_scopes, "NetworkInsightsAccessScopes", 1)
    assert [[s["NetworkInsightsAccessScopeId"] for s in page] for page in pages] == [
        [i] for i in sorted([scope_id, second["NetworkInsightsAccessScopeId"]])
    ]
    # Tags work on scopes like on any EC2 resource.
    ec2.create_tags(Resources=[scope_id], Tags=[{"Key": "Team", "Value": "sec"}])
    one = ec2.describe_network_insights_access_scopes(NetworkInsightsAccessScopeIds=[scope_id])
    assert {t["Key"] for t in one["NetworkInsightsAccessScopes"][0]["Tags"]} == {"Name", "Team"}

    assert ec2.delete_network_insights_access_scope(NetworkInsightsAccessScopeId=scope_id)[
        "NetworkInsightsAccessScopeId"
    ] == scope_id
    with aws_error("InvalidNetworkInsightsAccessScopeId.NotFound"):
        ec2.get_network_insights_access_scope_content(NetworkInsightsAccessScopeId=scope_id)
    with aws_error("InvalidNetworkInsightsAccessScopeId.NotFound"):
        ec2.describe_network_insights_access_scopes(NetworkInsightsAccessScopeIds=[scope_id])


def test_a_client_token_makes_creation_idempotent(ec2):
    first = ec2.create_network_insights_access_scope(MatchPaths=igw_ingress(), ClientToken="tok-1")
    again = ec2.create_network_insights_access_scope(MatchPaths=igw_ingress(), ClientToken="tok-1")
    assert (
        first["NetworkInsightsAccessScope"]["NetworkInsightsAccessScopeId"]
        == again["NetworkInsightsAccessScope"]["NetworkInsightsAccessScopeId"]
    )
    other = [{"Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}]
    with aws_error("IdempotentParameterMismatch"):
        ec2.create_network_insights_access_scope(MatchPaths=other, ClientToken="tok-1")


@pytest.mark.parametrize(
    "match, code",
    [
        # An empty condition, path end or packet header statement puts nothing on the wire (the
        # query protocol has no empty structures), so the scope has no match condition at all;
        # the model's tests refuse each empty statement itself.
        ([{}], "MissingParameter"),
        ([{"Source": {}}], "MissingParameter"),
        ([{"Source": {"PacketHeaderStatement": {}}}], "MissingParameter"),
        ([{"Source": {"ResourceStatement": {}}}], "MissingParameter"),
        # Resources or resource types, not both; each allowed where it stands.
        (
            [{"Source": {"ResourceStatement": {"Resources": ["SUBNET"], "ResourceTypes": ["AWS::EC2::InternetGateway"]}}}],
            "InvalidParameterCombination",
        ),
        ([{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NatGateway"]}}}], "InvalidParameterValue"),
        ([{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::S3::Bucket"]}}}], "InvalidParameterValue"),
        ([{"ThroughResources": [{"ResourceStatement": {"Resources": ["IGW"]}}]}], "InvalidParameterValue"),
        ([{"Source": {"ResourceStatement": {"Resources": ["subnet-0123456789abcdef0"]}}}], "InvalidSubnetID.NotFound"),
        # Addresses or prefix lists; tcp or udp; ports N or N-M; IPv4 CIDRs.
        (
            [{"Source": {"PacketHeaderStatement": {"SourceAddresses": ["10.0.0.0/8"], "SourcePrefixLists": ["pl-0123456789abcdef0"]}}}],
            "InvalidParameterCombination",
        ),
        ([{"Destination": {"PacketHeaderStatement": {"DestinationPorts": ["80-22"]}}}], "InvalidParameterValue"),
        ([{"Destination": {"PacketHeaderStatement": {"DestinationAddresses": ["10.0.0.0/33"]}}}], "InvalidParameterValue"),
        ([{"Destination": {"PacketHeaderStatement": {"DestinationPrefixLists": ["pl-0123456789abcdef0"]}}}], "InvalidPrefixListID.NotFound"),
    ],
)
def test_malformed_scopes_are_refused(ec2, network, match, code):
    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return {"SUBNET": network["subnet"], "IGW": network["igw"]}.get(value, value)

    with aws_error(code):
        ec2.create_network_insights_access_scope(MatchPaths=fill(match))
    assert ec2.describe_network_insights_access_scopes()["NetworkInsightsAccessScopes"] == []


def test_a_scope_needs_a_match_condition_and_unknown_ids_are_not_found(ec2):
    with aws_error("MissingParameter"):
        ec2.create_network_insights_access_scope(
            ExcludePaths=[{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}]
        )
    with aws_error("InvalidNetworkInsightsAccessScopeId.Malformed"):
        ec2.delete_network_insights_access_scope(NetworkInsightsAccessScopeId="scope-1")
    with aws_error("InvalidNetworkInsightsAccessScopeId.NotFound"):
        ec2.delete_network_insights_access_scope(NetworkInsightsAccessScopeId="nis-0123456789abcdef0")
    with aws_error("InvalidParameterValue"):
        ec2.describe_network_insights_access_scopes(Filters=[{"Name": "name", "Values": ["x"]}])

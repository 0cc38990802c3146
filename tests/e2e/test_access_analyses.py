"""Network Access Analyzer's analyses through boto3: started (reported `running`), described
(`succeeded`, with the interfaces analysed and whether anything was found), their findings read
page by page, tagged, deleted alone or with their scope; bad requests refused with EC2's codes.

Sources (see /work/notes/naa.md): botocore's model for the shapes and MaxResults ranges; the
Network Access Analyzer guide (getting started with the CLI: the start call answers `running`
with no EndDate or FindingsFound; "Quotas": 10,000 analyses, every interface of the account and
Region analysed). The findings themselves are the engine's: only their shape is checked here.
"""

from __future__ import annotations

import datetime
import re

import pytest
from botocore.config import Config

from vpclab_helpers import (
    CLIENT_CONFIG,
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    VpclabServer,
    all_pages,
    aws_error,
    make_client,
)

ANALYSIS_ID = re.compile(r"^nisa-[0-9a-f]{17}$")
IGW_INGRESS = [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}]


@pytest.fixture
def scope(ec2):
    """A VPC with two interfaces in a subnet and the guide's "all IGW ingress" scope: (scope id,
    interface ids)."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    enis = [
        ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
        for _ in range(2)
    ]
    out = ec2.create_network_insights_access_scope(MatchPaths=IGW_INGRESS)
    return out["NetworkInsightsAccessScope"]["NetworkInsightsAccessScopeId"], enis


def start(ec2, scope_id: str, **kw) -> dict:
    return ec2.start_network_insights_access_scope_analysis(NetworkInsightsAccessScopeId=scope_id, **kw)[
        "NetworkInsightsAccessScopeAnalysis"
    ]


def test_an_analysis_runs_and_reports_its_findings(ec2, scope):
    scope_id, enis = scope
    started = start(ec2, scope_id)
    analysis_id = started["NetworkInsightsAccessScopeAnalysisId"]
    assert ANALYSIS_ID.match(analysis_id)
    assert started["NetworkInsightsAccessScopeId"] == scope_id
    assert started["NetworkInsightsAccessScopeAnalysisArn"] == (
        f"arn:aws:ec2:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:"
        f"network-insights-access-scope-analysis/{analysis_id}"
    )
    # As the guide's example shows it: running, started, not ended, nothing found yet.
    assert started["Status"] == "running"
    assert isinstance(started["StartDate"], datetime.datetime)
    for absent in ("EndDate", "FindingsFound", "AnalyzedEniCount"):
        assert absent not in started

    [described] = ec2.describe_network_insights_access_scope_analyses(
        NetworkInsightsAccessScopeAnalysisIds=[analysis_id]
    )["NetworkInsightsAccessScopeAnalyses"]
    assert described["Status"] == "succeeded"
    assert described["StartDate"] == started["StartDate"]
    assert described["EndDate"] >= described["StartDate"]
    assert described["AnalyzedEniCount"] >= len(enis)
    assert described["FindingsFound"] in ("true", "false")
    assert described.get("Tags", []) == []

    everything = ec2.get_network_insights_access_scope_analysis_findings(
        NetworkInsightsAccessScopeAnalysisId=analysis_id
    )
    assert everything["NetworkInsightsAccessScopeAnalysisId"] == analysis_id
    assert everything["AnalysisStatus"] == "succeeded"
    findings = everything["AnalysisFindings"]
    assert "NextToken" not in everything
    assert (described["FindingsFound"] == "true") == bool(findings)
    for finding in findings:
        assert finding["NetworkInsightsAccessScopeAnalysisId"] == analysis_id
        assert finding["NetworkInsightsAccessScopeId"] == scope_id
        assert finding["FindingId"]
        for n, component in enumerate(finding["FindingComponents"], start=1):
            assert component["SequenceNumber"] == n
            assert component["Component"]["Id"]

    # One finding a page: the same findings in the same order, the status on every page.
    pages = all_pages(
        ec2.get_network_insights_access_scope_analysis_findings,
        "AnalysisFindings",
        1,
        NetworkInsightsAccessScopeAnalysisId=analysis_id,
    )
    assert all(len(page) <= 1 for page in pages)
    assert [f for page in pages for f in page] == findings


def test_analyses_are_listed_by_id_scope_and_start_time(ec2, scope):
    scope_id, _ = scope
    other = ec2.create_network_insights_access_scope(MatchPaths=IGW_INGRESS)["NetworkInsightsAccessScope"][
        "NetworkInsightsAccessScopeId"
    ]
    first = start(ec2, scope_id)
    second = start(ec2, scope_id)
    third = start(ec2, other)
    ids = sorted(a["NetworkInsightsAccessScopeAnalysisId"] for a in (first, second, third))

    pages = all_pages(ec2.describe_network_insights_access_scope_analyses, "NetworkInsightsAccessScopeAnalyses", 2)
    assert [len(p) for p in pages] == [2, 1]
    assert [a["NetworkInsightsAccessScopeAnalysisId"] for p in pages for a in p] == ids

    by_scope = ec2.describe_network_insights_access_scope_analyses(NetworkInsightsAccessScopeId=scope_id)
    assert {a["NetworkInsightsAccessScopeAnalysisId"] for a in by_scope["NetworkInsightsAccessScopeAnalyses"]} == {
        first["NetworkInsightsAccessScopeAnalysisId"],
        second["NetworkInsightsAccessScopeAnalysisId"],
    }
    hour = datetime.timedelta(hours=1)
    later = ec2.describe_network_insights_access_scope_analyses(AnalysisStartTimeBegin=first["StartDate"] + hour)
    assert later["NetworkInsightsAccessScopeAnalyses"] == []
    window = ec2.describe_network_insights_access_scope_analyses(
        AnalysisStartTimeBegin=first["StartDate"] - hour, AnalysisStartTimeEnd=third["StartDate"] + hour
    )
    assert len(window["NetworkInsightsAccessScopeAnalyses"]) == 3

    # Deleting a scope deletes its analyses (AWS documents no refusal; vpclab's choice).
    ec2.delete_network_insights_access_scope(NetworkInsightsAccessScopeId=scope_id)
    left = ec2.describe_network_insights_access_scope_analyses()["NetworkInsightsAccessScopeAnalyses"]
    assert [a["NetworkInsightsAccessScopeAnalysisId"] for a in left] == [third["NetworkInsightsAccessScopeAnalysisId"]]


def test_an_analysis_is_tagged_and_deleted(ec2, scope):
    scope_id, _ = scope
    spec = {"ResourceType": "network-insights-access-scope-analysis", "Tags": [{"Key": "Name", "Value": "a1"}]}
    analysis = start(ec2, scope_id, TagSpecifications=[spec])
    analysis_id = analysis["NetworkInsightsAccessScopeAnalysisId"]
    assert analysis["Tags"] == [{"Key": "Name", "Value": "a1"}]
    ec2.create_tags(Resources=[analysis_id], Tags=[{"Key": "Team", "Value": "sec"}])
    ec2.delete_tags(Resources=[analysis_id], Tags=[{"Key": "Name"}])
    [described] = ec2.describe_network_insights_access_scope_analyses(
        NetworkInsightsAccessScopeAnalysisIds=[analysis_id]
    )["NetworkInsightsAccessScopeAnalyses"]
    assert described["Tags"] == [{"Key": "Team", "Value": "sec"}]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [analysis_id]}])["Tags"]
    assert [(t["Key"], t["ResourceType"]) for t in tags] == [("Team", "network-insights-access-scope-analysis")]

    deleted = ec2.delete_network_insights_access_scope_analysis(NetworkInsightsAccessScopeAnalysisId=analysis_id)
    assert deleted["NetworkInsightsAccessScopeAnalysisId"] == analysis_id
    for call in (
        lambda: ec2.delete_network_insights_access_scope_analysis(NetworkInsightsAccessScopeAnalysisId=analysis_id),
        lambda: ec2.describe_network_insights_access_scope_analyses(NetworkInsightsAccessScopeAnalysisIds=[analysis_id]),
        lambda: ec2.get_network_insights_access_scope_analysis_findings(NetworkInsightsAccessScopeAnalysisId=analysis_id),
    ):
        with aws_error("InvalidNetworkInsightsAccessScopeAnalysisId.NotFound"):
            call()
    # The scope stays.
    assert ec2.describe_network_insights_access_scopes(NetworkInsightsAccessScopeIds=[scope_id])


def test_a_client_token_makes_start_idempotent(ec2, scope):
    scope_id, _ = scope
    other = ec2.create_network_insights_access_scope(MatchPaths=IGW_INGRESS)["NetworkInsightsAccessScope"][
        "NetworkInsightsAccessScopeId"
    ]
    first = start(ec2, scope_id, ClientToken="tok-1")
    again = start(ec2, scope_id, ClientToken="tok-1")
    assert again["NetworkInsightsAccessScopeAnalysisId"] == first["NetworkInsightsAccessScopeAnalysisId"]
    with aws_error("IdempotentParameterMismatch"):
        start(ec2, other, ClientToken="tok-1")
    listed = ec2.describe_network_insights_access_scope_analyses()["NetworkInsightsAccessScopeAnalyses"]
    assert len(listed) == 1


# botocore refuses a MaxResults under its minimum before sending; this client lets vpclab answer.
UNVALIDATED = CLIENT_CONFIG.merge(Config(parameter_validation=False))


def test_bad_requests_are_refused_with_ec2_codes(ec2, endpoint, scope):
    scope_id, _ = scope
    raw = make_client(endpoint, config=UNVALIDATED)
    with aws_error("InvalidNetworkInsightsAccessScopeId.NotFound"):
        start(ec2, "nis-0123456789abcdef0")
    with aws_error("InvalidNetworkInsightsAccessScopeId.Malformed"):
        start(ec2, "scope-1")
    with aws_error("InvalidParameter"):
        start(ec2, scope_id, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "k", "Value": "v"}]}])
    with aws_error("DryRunOperation", status=412):
        start(ec2, scope_id, DryRun=True)
    assert ec2.describe_network_insights_access_scope_analyses()["NetworkInsightsAccessScopeAnalyses"] == []

    analysis_id = start(ec2, scope_id)["NetworkInsightsAccessScopeAnalysisId"]
    for unknown, code in [
        ("nisa-0123456789abcdef0", "InvalidNetworkInsightsAccessScopeAnalysisId.NotFound"),
        ("analysis-1", "InvalidNetworkInsightsAccessScopeAnalysisId.Malformed"),
    ]:
        with aws_error(code):
            ec2.delete_network_insights_access_scope_analysis(NetworkInsightsAccessScopeAnalysisId=unknown)
        with aws_error(code):
            ec2.get_network_insights_access_scope_analysis_findings(NetworkInsightsAccessScopeAnalysisId=unknown)
        # Describe calls any id it does not know NotFound, as vpclab's other Describes do.
        with aws_error("InvalidNetworkInsightsAccessScopeAnalysisId.NotFound"):
            ec2.describe_network_insights_access_scope_analyses(NetworkInsightsAccessScopeAnalysisIds=[unknown])
    with aws_error("InvalidNetworkInsightsAccessScopeId.Malformed"):
        ec2.describe_network_insights_access_scope_analyses(NetworkInsightsAccessScopeId="scope-1")
    for bad in (0, 101):
        with aws_error("InvalidParameterValue"):
            raw.describe_network_insights_access_scope_analyses(MaxResults=bad)
    for bad in (0, 1001):
        with aws_error("InvalidParameterValue"):
            raw.get_network_insights_access_scope_analysis_findings(
                NetworkInsightsAccessScopeAnalysisId=analysis_id, MaxResults=bad
            )
    with aws_error("InvalidNextToken"):
        ec2.get_network_insights_access_scope_analysis_findings(
            NetworkInsightsAccessScopeAnalysisId=analysis_id, NextToken="not-a-token"
        )
    with aws_error("InvalidParameterValue"):
        ec2.describe_network_insights_access_scope_analyses(Filters=[{"Name": "status", "Values": ["running"]}])
    for call in (
        lambda: ec2.delete_network_insights_access_scope_analysis(
            NetworkInsightsAccessScopeAnalysisId=analysis_id, DryRun=True
        ),
        lambda: ec2.describe_network_insights_access_scope_analyses(DryRun=True),
        lambda: ec2.get_network_insights_access_scope_analysis_findings(
            NetworkInsightsAccessScopeAnalysisId=analysis_id, DryRun=True
        ),
    ):
        with aws_error("DryRunOperation", status=412):
            call()
    # Nothing a dry run asked for happened.
    assert ec2.describe_network_insights_access_scope_analyses(NetworkInsightsAccessScopeAnalysisIds=[analysis_id])


def test_analyses_are_bounded_by_their_quota(tmp_path, vpclab_binary):
    """A server of its own with --quota network_insights_access_scope_analyses_per_region=2."""
    server = VpclabServer(
        vpclab_binary,
        state_dir=None,
        in_memory=True,
        log_path=tmp_path / "vpclab.log",
        extra_args=["--quota", "network_insights_access_scope_analyses_per_region=2"],
    ).start()
    try:
        ec2 = make_client(server.endpoint)
        scope_id = ec2.create_network_insights_access_scope(MatchPaths=IGW_INGRESS)["NetworkInsightsAccessScope"][
            "NetworkInsightsAccessScopeId"
        ]
        first = start(ec2, scope_id, ClientToken="a")
        start(ec2, scope_id, ClientToken="b")
        with aws_error("ResourceLimitExceeded"):
            start(ec2, scope_id, ClientToken="c")
        # A repeated request is not a new analysis; a deleted one frees its place.
        assert start(ec2, scope_id, ClientToken="a") == first
        ec2.delete_network_insights_access_scope_analysis(
            NetworkInsightsAccessScopeAnalysisId=first["NetworkInsightsAccessScopeAnalysisId"]
        )
        start(ec2, scope_id, ClientToken="c")
    finally:
        server.stop()

"""Customer-managed prefix lists end to end with boto3 (and Terraform when available).

Sources for the expected behaviour: the EC2 API reference (CreateManagedPrefixList,
ModifyManagedPrefixList, RestoreManagedPrefixListVersion, DeleteManagedPrefixList,
GetManagedPrefixListEntries, GetManagedPrefixListAssociations), the VPC user guide ("Work with
customer-managed prefix lists", quotas: a reference counts as the list's max entries) and error
messages recorded in terraform-provider-aws issues (#26034 InvalidParameterCombination,
aws-samples/update-aws-ip-ranges#1 max size, PrefixListVersionMismatch).  Tags in comments:
  [C] confirmed by documentation or recorded real output;
  [I] inferred (vpclab's choice where AWS's exact answer is not recorded).
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from test_reachability import Lab, analyze, assert_blocked, assert_found, create_path, hop, run_analysis
from vpclab_helpers import DEFAULT_ACCOUNT, DEFAULT_REGION, all_pages, aws_error, f, tags_of

PL_ID = re.compile(r"^pl-[0-9a-f]{17}$")
MISSING = "pl-0123456789abcdef0"


def create(ec2, name="corp", max_entries=5, entries=(), family="IPv4", **kw) -> dict:
    return ec2.create_managed_prefix_list(
        PrefixListName=name, MaxEntries=max_entries, AddressFamily=family,
        Entries=[{"Cidr": c, "Description": d} if d else {"Cidr": c} for c, d in entries], **kw,
    )["PrefixList"]


def get(ec2, pl_id: str) -> dict:
    [pl] = ec2.describe_managed_prefix_lists(PrefixListIds=[pl_id])["PrefixLists"]
    return pl


def entries(ec2, pl_id: str, **kw) -> list[tuple[str, str | None]]:
    got = ec2.get_managed_prefix_list_entries(PrefixListId=pl_id, **kw)["Entries"]
    return [(e["Cidr"], e.get("Description")) for e in got]


def s3_list(ec2) -> str:
    [pl] = ec2.describe_managed_prefix_lists(
        Filters=[f("prefix-list-name", f"com.amazonaws.{DEFAULT_REGION}.s3")])["PrefixLists"]
    return pl["PrefixListId"]


# ----------------------------------------------------------------------------------- lifecycle

def test_lifecycle_versions_and_restore(ec2):
    pl = create(ec2, entries=[("10.1.0.0/16", "office"), ("10.2.0.0/16", None)],
                TagSpecifications=[{"ResourceType": "prefix-list", "Tags": [{"Key": "Name", "Value": "corp"}]}],
                ClientToken="tok-1")
    pl_id = pl["PrefixListId"]
    assert PL_ID.match(pl_id), pl_id
    assert (pl["State"], pl["Version"], pl["MaxEntries"], pl["AddressFamily"]) == ("create-complete", 1, 5, "IPv4")
    assert pl["OwnerId"] == DEFAULT_ACCOUNT
    assert pl["PrefixListArn"] == f"arn:aws:ec2:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:prefix-list/{pl_id}"
    assert tags_of(pl) == {"Name": "corp"}
    # the same client token answers with the same list
    assert create(ec2, ClientToken="tok-1")["PrefixListId"] == pl_id
    assert entries(ec2, pl_id) == [("10.1.0.0/16", "office"), ("10.2.0.0/16", None)]

    # entries change → new version; the current version is checked when given  [C]
    out = ec2.modify_managed_prefix_list(PrefixListId=pl_id, CurrentVersion=1,
                                         AddEntries=[{"Cidr": "10.3.0.0/16", "Description": "lab"}],
                                         RemoveEntries=[{"Cidr": "10.2.0.0/16"}])["PrefixList"]
    assert (out["State"], out["Version"]) == ("modify-complete", 2)
    with aws_error("PrefixListVersionMismatch"):
        ec2.modify_managed_prefix_list(PrefixListId=pl_id, CurrentVersion=1,
                                       AddEntries=[{"Cidr": "10.4.0.0/16"}])
    assert entries(ec2, pl_id) == [("10.1.0.0/16", "office"), ("10.3.0.0/16", "lab")]
    assert entries(ec2, pl_id, TargetVersion=1) == [("10.1.0.0/16", "office"), ("10.2.0.0/16", None)]

    # renaming and resizing keep the version  [C: "Changing the name … does not affect the version"]
    out = ec2.modify_managed_prefix_list(PrefixListId=pl_id, PrefixListName="corp-nets")["PrefixList"]
    assert (out["PrefixListName"], out["Version"]) == ("corp-nets", 2)
    out = ec2.modify_managed_prefix_list(PrefixListId=pl_id, MaxEntries=8)["PrefixList"]
    assert (out["MaxEntries"], out["Version"], out["State"]) == (8, 2, "modify-complete")

    # restoring version 1 makes version 3 with version 1's entries  [C]
    out = ec2.restore_managed_prefix_list_version(PrefixListId=pl_id, PreviousVersion=1,
                                                  CurrentVersion=2)["PrefixList"]
    assert (out["State"], out["Version"]) == ("restore-complete", 3)
    assert entries(ec2, pl_id) == [("10.1.0.0/16", "office"), ("10.2.0.0/16", None)]
    with aws_error("PrefixListVersionMismatch"):
        ec2.restore_managed_prefix_list_version(PrefixListId=pl_id, PreviousVersion=1, CurrentVersion=2)

    out = ec2.delete_managed_prefix_list(PrefixListId=pl_id)["PrefixList"]
    assert out["PrefixListId"] == pl_id
    with aws_error("InvalidPrefixListID.NotFound"):
        ec2.describe_managed_prefix_lists(PrefixListIds=[pl_id])
    with aws_error("InvalidPrefixListID.NotFound"):
        ec2.delete_managed_prefix_list(PrefixListId=pl_id)


def test_describe_filters_pagination_and_both_kinds(ec2):
    ids = [create(ec2, name=f"list-{i}",
                  TagSpecifications=[{"ResourceType": "prefix-list",
                                      "Tags": [{"Key": "team", "Value": "a" if i % 2 else "b"}]}])["PrefixListId"]
           for i in range(5)]
    v6 = create(ec2, name="v6", family="IPv6", entries=[("2001:db8::/32", None)])["PrefixListId"]
    aws_ids = {p["PrefixListId"] for p in ec2.describe_prefix_lists()["PrefixLists"]}
    assert not aws_ids & set(ids + [v6])  # DescribePrefixLists: AWS service lists only  [C]

    everything = ec2.describe_managed_prefix_lists()["PrefixLists"]
    assert {p["PrefixListId"] for p in everything} == aws_ids | set(ids) | {v6}
    mine = ec2.describe_managed_prefix_lists(Filters=[f("owner-id", DEFAULT_ACCOUNT)])["PrefixLists"]
    assert {p["PrefixListId"] for p in mine} == set(ids) | {v6}
    aws = ec2.describe_managed_prefix_lists(Filters=[f("owner-id", "AWS")])["PrefixLists"]
    assert {p["PrefixListId"] for p in aws} == aws_ids
    team_a = ec2.describe_managed_prefix_lists(Filters=[f("tag:team", "a")])["PrefixLists"]
    assert {p["PrefixListId"] for p in team_a} == {ids[1], ids[3]}
    named = ec2.describe_managed_prefix_lists(Filters=[f("prefix-list-name", "list-2")])["PrefixLists"]
    assert [p["PrefixListId"] for p in named] == [ids[2]]
    assert get(ec2, v6)["AddressFamily"] == "IPv6"

    pages = all_pages(ec2.describe_managed_prefix_lists, "PrefixLists", 2)
    seen = [p["PrefixListId"] for page in pages for p in page]
    assert sorted(seen) == sorted(p["PrefixListId"] for p in everything) and len(seen) == len(set(seen))

    # entries page too
    pl = create(ec2, name="big", max_entries=20, entries=[(f"10.{i}.0.0/16", None) for i in range(7)])
    pages = all_pages(ec2.get_managed_prefix_list_entries, "Entries", 3, PrefixListId=pl["PrefixListId"])
    assert [len(p) for p in pages] == [3, 3, 1]


# -------------------------------------------------------------------------------------- errors

@pytest.mark.parametrize("kw, code", [
    (dict(max_entries=0), "InvalidParameterValue"),                    # [C] "Must specify a max size between 1 and 1000"
    (dict(max_entries=1001), "InvalidParameterValue"),                 # [C]
    (dict(name="com.amazonaws.mine"), "InvalidParameterValue"),        # [C] reserved prefix
    (dict(family="IPv5"), "InvalidParameterValue"),                    # [C] IPv4 | IPv6
    (dict(entries=[("2001:db8::/32", None)]), "InvalidParameterValue"),  # [I] wrong family
    (dict(entries=[("10.0.0.0/33", None)]), "InvalidParameterValue"),  # [I]
    (dict(max_entries=1, entries=[("10.0.0.0/16", None), ("10.1.0.0/16", None)]), "PrefixListMaxEntriesExceeded"),  # [I]
])
def test_create_errors(ec2, kw, code):
    with aws_error(code):
        create(ec2, **kw)


def test_modify_errors(ec2):
    pl_id = create(ec2, max_entries=2, entries=[("10.1.0.0/16", None)])["PrefixListId"]

    def modify(**kw):
        return ec2.modify_managed_prefix_list(PrefixListId=pl_id, **kw)

    with aws_error("InvalidParameterCombination"):  # [C] terraform-provider-aws#26034
        modify(MaxEntries=5, AddEntries=[{"Cidr": "10.2.0.0/16"}])
    with aws_error("InvalidParameterValue"):  # [C] terraform's description-only update comment
        modify(AddEntries=[{"Cidr": "10.1.0.0/16"}], RemoveEntries=[{"Cidr": "10.1.0.0/16"}])
    with aws_error("InvalidPrefixListModification"):  # [C] "… does not exist." (terraform entry delete)
        modify(RemoveEntries=[{"Cidr": "10.9.0.0/16"}])
    with aws_error("InvalidPrefixListModification"):  # [I] already an entry
        modify(AddEntries=[{"Cidr": "10.1.0.0/16"}])
    with aws_error("PrefixListMaxEntriesExceeded"):  # [I]
        modify(AddEntries=[{"Cidr": "10.2.0.0/16"}, {"Cidr": "10.3.0.0/16"}])
    modify(AddEntries=[{"Cidr": "10.2.0.0/16"}])
    with aws_error("InvalidParameterValue"):  # [I] smaller than the entries it holds
        modify(MaxEntries=1)
    with aws_error("InvalidPrefixListModification"):  # [I] AWS-managed lists are read-only
        ec2.modify_managed_prefix_list(PrefixListId=s3_list(ec2), AddEntries=[{"Cidr": "1.0.0.0/8"}])
    with aws_error("InvalidPrefixListID.NotFound"):
        ec2.modify_managed_prefix_list(PrefixListId=MISSING, PrefixListName="x")
    with aws_error("InvalidPrefixListId.Malformed"):
        ec2.get_managed_prefix_list_entries(PrefixListId="nope")
    with aws_error("InvalidParameterValue"):
        ec2.get_managed_prefix_list_entries(PrefixListId=pl_id, TargetVersion=9)


# ------------------------------------------------------------------- references and the engine

@pytest.fixture
def corp_web(ec2):
    """A public web server whose subnet routes only the corp list to the internet gateway and
    whose group admits HTTPS only from the corp list."""
    pl_id = create(ec2, max_entries=10, entries=[("198.51.100.0/24", "office")])["PrefixListId"]
    lab = Lab.create(ec2)
    sub = lab.subnet("web", "10.0.1.0/24", public=False)
    ec2.create_route(RouteTableId=sub.route_table_id, DestinationPrefixListId=pl_id, GatewayId=lab.igw_id)
    sg = lab.sg("web", {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                        "PrefixListIds": [{"PrefixListId": pl_id, "Description": "corp"}]})
    web = lab.host(sub, [sg], public=True)
    return pl_id, lab, sub, sg, web


def test_routes_and_rules_reference_customer_lists(ec2, corp_web):
    pl_id, lab, sub, sg, web = corp_web
    [route] = [r for r in ec2.describe_route_tables(RouteTableIds=[sub.route_table_id])["RouteTables"][0]["Routes"]
               if r.get("DestinationPrefixListId")]
    assert (route["DestinationPrefixListId"], route["GatewayId"], route["State"]) == (pl_id, lab.igw_id, "active")
    perm = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"][0]
    assert perm["PrefixListIds"] == [{"PrefixListId": pl_id, "Description": "corp"}]
    with aws_error("InvalidPrefixListID.NotFound"):
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": MISSING}]}])

    assoc = ec2.get_managed_prefix_list_associations(PrefixListId=pl_id)["PrefixListAssociations"]
    assert sorted(a["ResourceId"] for a in assoc) == sorted([sub.route_table_id, sg])
    assert {a["ResourceOwner"] for a in assoc} == {DEFAULT_ACCOUNT}

    # A referenced list is not deleted: the list is left delete-failed  [C: terraform-provider-aws#20991]
    out = ec2.delete_managed_prefix_list(PrefixListId=pl_id)["PrefixList"]
    assert out["State"] == "delete-failed"
    assert sg in out["StateMessage"] and sub.route_table_id in out["StateMessage"]
    assert get(ec2, pl_id)["State"] == "delete-failed"

    # A reference counts as MaxEntries rules (60 per group and direction): growing past what the
    # group can hold is accepted and leaves the list modify-failed, unchanged  [C: API reference]
    out = ec2.modify_managed_prefix_list(PrefixListId=pl_id, MaxEntries=61)["PrefixList"]
    assert (out["State"], out["MaxEntries"]) == ("modify-failed", 10)
    assert sg in out["StateMessage"]
    out = ec2.modify_managed_prefix_list(PrefixListId=pl_id, MaxEntries=45)["PrefixList"]
    assert (out["State"], out["MaxEntries"]) == ("modify-complete", 45)
    with aws_error("RulesPerSecurityGroupLimitExceeded"):
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
             "IpRanges": [{"CidrIp": f"192.0.{i}.0/24"} for i in range(16)]}])  # 45 + 16 > 60
    # … and as 45 of the table's 50 routes
    other = create(ec2, name="other", max_entries=6)["PrefixListId"]
    with aws_error("RouteLimitExceeded"):
        ec2.create_route(RouteTableId=sub.route_table_id, DestinationPrefixListId=other, GatewayId=lab.igw_id)

    # Once the references are gone the list can be deleted.
    ec2.delete_route(RouteTableId=sub.route_table_id, DestinationPrefixListId=pl_id)
    ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": pl_id}]}])
    assert ec2.get_managed_prefix_list_associations(PrefixListId=pl_id)["PrefixListAssociations"] == []
    ec2.delete_managed_prefix_list(PrefixListId=pl_id)
    with aws_error("InvalidPrefixListID.NotFound"):
        get(ec2, pl_id)


def test_reachability_through_a_customer_list(ec2, corp_web):
    pl_id, lab, sub, sg, web = corp_web

    # internet → web on 443: admitted by the list's rule, answered over the list's route
    a = analyze(ec2, lab.igw_id, web.instance_id, 443)
    assert_found(a)
    rule = hop(a["ForwardPathComponents"], sg)["SecurityGroupRule"]
    assert (rule["PrefixListId"], rule["Direction"]) == (pl_id, "ingress")
    assert "Cidr" not in rule
    route = hop(a["ReturnPathComponents"], sub.route_table_id)["RouteTableRoute"]
    assert (route["DestinationPrefixListId"], route["GatewayId"]) == (pl_id, lab.igw_id)
    assert "DestinationCidr" not in route
    assert a["ForwardPathComponents"][-1]["InboundHeader"]["SourceAddresses"] == ["198.51.100.0/24"]

    def to(address: str) -> dict:
        path = create_path(ec2, web.instance_id, FilterAtSource={
            "DestinationAddress": address, "DestinationPortRange": {"FromPort": 443, "ToPort": 443}})
        return run_analysis(ec2, path["NetworkInsightsPathId"])

    assert_found(to("198.51.100.7"))
    assert_blocked(to("8.8.8.8"), "NO_ROUTE_TO_DESTINATION")

    # the route follows the list's current entries
    ec2.modify_managed_prefix_list(PrefixListId=pl_id, CurrentVersion=1, AddEntries=[{"Cidr": "8.8.8.0/24"}])
    assert_found(to("8.8.8.8"))


def test_aws_managed_lists_still_work_for_routes_and_rules(ec2):
    lab = Lab.create(ec2)
    sub = lab.subnet("app", "10.0.1.0/24", public=False)
    s3 = s3_list(ec2)
    ec2.create_route(RouteTableId=sub.route_table_id, DestinationPrefixListId=s3, GatewayId=lab.igw_id)
    sg = lab.sg("app", {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": s3}]})
    assoc = ec2.get_managed_prefix_list_associations(PrefixListId=s3)["PrefixListAssociations"]
    assert sorted(a["ResourceId"] for a in assoc) == sorted([sub.route_table_id, sg])


# ----------------------------------------------------------------------------------- Terraform

def test_terraform_managed_prefix_list(endpoint, ec2, tmp_path):
    import test_terraform as tf  # the provider mirror set-up is shared with the main Terraform test

    if tf.TERRAFORM is None:
        pytest.skip("terraform is not on PATH; skipping the aws_ec2_managed_prefix_list Terraform test")
    if not tf.MIRROR.is_dir():
        pytest.skip(f"no Terraform provider mirror at {tf.MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)")
    work = tmp_path / "tf"
    shutil.copytree(tf.TF_DIR.parent / "terraform_prefix_lists", work)
    env = tf._tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]
    tf._tf(["init", "-input=false", "-no-color"], work, env, timeout=180)
    tf._tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    out = {k: v["value"] for k, v in json.loads(tf._tf(["output", "-json"], work, env, timeout=60).stdout).items()}

    corp = get(ec2, out["corp_id"])
    assert (corp["PrefixListName"], corp["MaxEntries"], corp["Version"]) == ("corp", 10, 1)
    assert tags_of(corp) == {"Name": "corp"}
    assert entries(ec2, out["corp_id"]) == [("10.1.0.0/16", "office"), ("198.51.100.0/24", "vpn")]
    assert out["corp_arn"] == corp["PrefixListArn"]
    extra = get(ec2, out["extra_id"])
    assert [c for c, _ in entries(ec2, out["extra_id"])] == ["192.0.2.0/24"]
    assert extra["Version"] == 2  # the standalone entry resource made version 2
    assoc = ec2.get_managed_prefix_list_associations(PrefixListId=out["corp_id"])["PrefixListAssociations"]
    assert sorted(a["ResourceId"] for a in assoc) == sorted([out["route_table_id"], out["sg_id"]])

    plan = tf._tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=300,
                  ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    tf._tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    mine = ec2.describe_managed_prefix_lists(Filters=[f("owner-id", DEFAULT_ACCOUNT)])["PrefixLists"]
    assert mine == []

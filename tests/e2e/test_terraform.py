"""Terraform + the real hashicorp/aws provider: apply, no drift, destroy.

Needs `terraform` on PATH and the provider in a filesystem mirror at
/opt/tf-plugins (override with VPCLAB_TF_PLUGIN_MIRROR).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from vpclab_helpers import TIMINGS, f, get_acl, get_instance, get_rt, get_sg, wait_until

TF_DIR = Path(__file__).resolve().parent / "terraform"
MIRROR = Path(os.environ.get("VPCLAB_TF_PLUGIN_MIRROR", "/opt/tf-plugins"))
TERRAFORM = shutil.which("terraform")

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(TERRAFORM is None, reason="terraform is not on PATH; skipping the Terraform end-to-end test"),
    pytest.mark.skipif(not MIRROR.is_dir(),
                       reason=f"no Terraform provider mirror at {MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)"),
]


def _tf_env(tmp: Path) -> dict[str, str]:
    cli_config = tmp / "terraform.rc"
    cli_config.write_text(
        'provider_installation {\n'
        f'  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n'
        '}\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        AWS_CONFIG_FILE=str(tmp / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def _tf(args: list[str], cwd: Path, env: dict, timeout: float, ok_codes=(0,)) -> subprocess.CompletedProcess:
    cp = subprocess.run([TERRAFORM, *args], cwd=cwd, env=env, capture_output=True, text=True,
                        timeout=timeout, stdin=subprocess.DEVNULL)
    if cp.returncode not in ok_codes:
        raise AssertionError(
            f"terraform {' '.join(args)} exited {cp.returncode}\n--- stdout ---\n{cp.stdout[-8000:]}"
            f"\n--- stderr ---\n{cp.stderr[-8000:]}")
    return cp


def test_three_tier_vpc_apply_plan_destroy(endpoint, ec2, tmp_path):
    work = tmp_path / "tf"
    shutil.copytree(TF_DIR, work, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
    env = _tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]

    _tf(["init", "-input=false", "-no-color"], work, env, timeout=180)

    t0 = time.monotonic()
    _tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=900)
    apply_s = time.monotonic() - t0
    out = {k: v["value"] for k, v in json.loads(_tf(["output", "-json"], work, env, timeout=60).stdout).items()}

    # ---- the VPC and its subnets
    vpc_id = out["vpc_id"]
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True
    subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"]}
    assert len(subnets) == 6
    expected = {
        **dict(zip(out["public_subnet_ids"], ["10.0.0.0/24", "10.0.1.0/24"])),
        **dict(zip(out["app_subnet_ids"], ["10.0.10.0/24", "10.0.11.0/24"])),
        **dict(zip(out["db_subnet_ids"], ["10.0.20.0/24", "10.0.21.0/24"])),
    }
    assert {sid: s["CidrBlock"] for sid, s in subnets.items()} == expected
    assert {subnets[s]["AvailabilityZone"] for s in out["db_subnet_ids"]} == {"us-east-1a", "us-east-1b"}
    assert all(subnets[s]["MapPublicIpOnLaunch"] for s in out["public_subnet_ids"])
    assert not any(subnets[s]["MapPublicIpOnLaunch"] for s in out["app_subnet_ids"] + out["db_subnet_ids"])

    # ---- gateway and routing
    igw = ec2.describe_internet_gateways(InternetGatewayIds=[out["igw_id"]])["InternetGateways"][0]
    assert igw["Attachments"] == [{"State": "available", "VpcId": vpc_id}]
    public_rt = get_rt(ec2, out["public_route_table_id"])
    default_route = next(r for r in public_rt["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")
    assert default_route["GatewayId"] == out["igw_id"] and default_route["State"] == "active"
    assert {a["SubnetId"] for a in public_rt["Associations"]} == set(out["public_subnet_ids"])
    private_rt = get_rt(ec2, out["private_route_table_id"])
    assert {a["SubnetId"] for a in private_rt["Associations"]} == set(out["app_subnet_ids"] + out["db_subnet_ids"])
    assert not any(r.get("DestinationCidrBlock") == "0.0.0.0/0" for r in private_rt["Routes"])

    # ---- security groups reference each other
    app_sg = get_sg(ec2, out["app_sg_id"])
    assert any(p.get("FromPort") == 8080 and [g["GroupId"] for g in p.get("UserIdGroupPairs", [])] == [out["web_sg_id"]]
               for p in app_sg["IpPermissions"]), app_sg
    db_sg = get_sg(ec2, out["db_sg_id"])
    assert any(p.get("FromPort") == 5432 and [g["GroupId"] for g in p.get("UserIdGroupPairs", [])] == [out["app_sg_id"]]
               for p in db_sg["IpPermissions"]), db_sg
    web_sg = get_sg(ec2, out["web_sg_id"])
    assert {p.get("FromPort") for p in web_sg["IpPermissions"]} == {80, 443}

    # ---- the db NACL
    acl = get_acl(ec2, out["db_nacl_id"])
    assert {a["SubnetId"] for a in acl["Associations"]} == set(out["db_subnet_ids"])
    rules = {(e["Egress"], e["RuleNumber"]): e for e in acl["Entries"]}
    assert {(False, 100), (False, 110), (False, 120), (False, 200), (True, 100), (True, 110)} <= set(rules)
    assert rules[(False, 120)]["PortRange"] == {"From": 1024, "To": 65535}
    assert rules[(True, 100)]["PortRange"] == {"From": 1024, "To": 65535}

    # ---- compute
    inst = wait_until(lambda: (lambda i: i if i["State"]["Name"] == "running" else None)(
        get_instance(ec2, out["instance_id"])), desc="instance running")
    assert inst["SubnetId"] == out["public_subnet_ids"][0]
    assert inst["PublicIpAddress"] == out["eip_public_ip"]
    assert [g["GroupId"] for g in inst["SecurityGroups"]] == [out["web_sg_id"]]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[out["eni_id"]])["NetworkInterfaces"][0]
    assert eni["PrivateIpAddress"] == "10.0.10.50" == out["eni_private_ip"]
    assert eni["SubnetId"] == out["app_subnet_ids"][0]

    # ---- no drift
    plan = _tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=600, ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    # ---- destroy
    t1 = time.monotonic()
    _tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=900)
    destroy_s = time.monotonic() - t1

    remaining = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]]
    assert remaining == [], f"non-default VPCs left after destroy: {remaining}"
    assert ec2.describe_addresses()["Addresses"] == []
    assert get_instance(ec2, out["instance_id"])["State"]["Name"] in ("shutting-down", "terminated")

    line = (f"terraform apply {apply_s:.1f}s + destroy {destroy_s:.1f}s = {apply_s + destroy_s:.1f}s "
            f"(wall time against vpclab)")
    print(line)
    TIMINGS.append(line)

"""`vpclab trace` and POST /_vpclab/trace: the engine's answer for people and scripts.

A public web server (443 from anywhere) and a private database (3306 from the web tier's
group only) are built with boto3; the CLI is then asked about them as a user would ask.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import requests

from vpclab_helpers import create_network, make_public, run_instance


@pytest.fixture
def web_and_db(ec2):
    net = create_network(ec2)
    make_public(ec2, net)
    private = ec2.create_subnet(VpcId=net.vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    web_sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=net.vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    db_sg = ec2.create_security_group(GroupName="db", Description="db", VpcId=net.vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=db_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "UserIdGroupPairs": [{"GroupId": web_sg}]}])
    web = run_instance(ec2, net.subnet_id, SecurityGroupIds=[web_sg])
    db = run_instance(ec2, private, SecurityGroupIds=[db_sg])
    eip = ec2.allocate_address()
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=web["InstanceId"])
    return {"igw": net.igw_id, "web": web, "db": db, "web_sg": web_sg, "db_sg": db_sg,
            "public_ip": eip["PublicIp"]}


def trace(vpclab_binary, endpoint, *args):
    return subprocess.run([str(vpclab_binary), "trace", "--endpoint", endpoint, *args],
                          capture_output=True, text=True, timeout=30)


def test_reachable_path_prints_every_hop_and_exits_zero(vpclab_binary, endpoint, web_and_db):
    web, db = web_and_db["web"]["InstanceId"], web_and_db["db"]["InstanceId"]
    out = trace(vpclab_binary, endpoint, "--from", web, "--to", db, "--port", "3306")
    assert out.returncode == 0, out.stderr + out.stdout
    text = out.stdout
    assert "REACHABLE" in text and "NOT REACHABLE" not in text
    assert "Forward path" in text and "Return path" in text
    # The deciding rules are quoted: the group reference admits the web tier.
    assert f"allow tcp port 3306 from {web_and_db['web_sg']}" in text
    assert "route 10.0.0.0/16 → local" in text
    assert "\x1b[" not in text, "no colour codes when stdout is not a terminal"


def test_blocked_path_names_the_blocking_component_and_exits_one(vpclab_binary, endpoint, web_and_db):
    db = web_and_db["db"]["InstanceId"]
    out = trace(vpclab_binary, endpoint, "--from", "internet", "--to", db, "--port", "3306")
    assert out.returncode == 1, out.stderr + out.stdout
    assert "NOT REACHABLE" in out.stdout
    assert "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS" in out.stdout

    out = trace(vpclab_binary, endpoint, "--from", web_and_db["igw"], "--to",
                web_and_db["web"]["InstanceId"], "--protocol", "udp", "--port", "443")
    assert out.returncode == 1
    assert "ENI_SG_RULES_MISMATCH (ingress)" in out.stdout


def test_json_answer_is_the_endpoints_answer(vpclab_binary, endpoint, web_and_db):
    web = web_and_db["web"]["InstanceId"]
    out = trace(vpclab_binary, endpoint, "--from", web, "--to", "8.8.8.8", "--protocol", "udp",
                "--port", "53", "--json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["reachable"] is True
    kinds = [h["kind"] for h in answer["forward"]]
    assert kinds == ["instance", "network interface", "security group", "network ACL",
                     "route table", "internet gateway"]
    gateway = answer["forward"][-1]
    # The gateway translates the private source to the Elastic IP.
    assert gateway["inbound"]["source"] == [web_and_db["web"]["PrivateIpAddress"]]
    assert gateway["outbound"]["source"] == [web_and_db["public_ip"]]
    direct = requests.post(f"{endpoint}/_vpclab/trace", json={
        "from": web, "to": "8.8.8.8", "protocol": "udp", "port": 53}, timeout=10).json()
    assert direct == answer


@pytest.mark.parametrize("body,fragment", [
    (b"not json", "not JSON"),
    (b"[1,2]", "JSON object"),
    (b'{"to": "internet"}', "from"),
    (b'{"from": "nonsense", "to": "internet"}', "resource id"),
    (b'{"from": "internet", "to": "i-0123456789abcdef0"}', "does not exist"),
    (b'{"from": "internet", "to": "10.0.0.1", "port": 70000}', "0 to 65535"),
    (b'{"from": "internet", "to": "10.0.0.1", "protocol": "smtp"}', "protocol"),
])
def test_bad_questions_get_a_clear_400(endpoint, body, fragment):
    r = requests.post(f"{endpoint}/_vpclab/trace", data=body, timeout=10)
    assert r.status_code == 400, r.text
    assert fragment in r.json()["error"]["message"]


def test_cli_reports_a_bad_question_with_exit_two(vpclab_binary, endpoint):
    out = trace(vpclab_binary, endpoint, "--from", "i-0123456789abcdef0", "--to", "internet")
    assert out.returncode == 2
    assert "does not exist" in out.stderr

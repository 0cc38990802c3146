"""`vpclab traffic FILE`: replayed flows leave the flow log records AWS would write.

The network: a public web server (443 from anywhere) whose subnet has a custom network ACL
that admits 443 and ICMP but lets out only replies to ephemeral ports of TCP — so a ping is
accepted in and its reply rejected out, as AWS's flow log documentation describes — and a
private database reachable on 3306 from the web tier only. Flow logs go to S3 (gzip files in
AWS's key layout) and to CloudWatch Logs (a file per interface); the test reads them with gzip
and awk as a user would.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
import requests

from vpclab_helpers import DEFAULT_ACCOUNT, DEFAULT_REGION, create_network, make_public, run_instance

ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/flow-logs"


def flow_log_root(endpoint) -> Path:
    listed = requests.get(f"{endpoint}/_vpclab/endpoints", timeout=10).json()["endpoints"]
    return Path(next(e["path"] for e in listed if e["kind"] == "flow-logs"))


@pytest.fixture
def shop(ec2):
    net = create_network(ec2)
    make_public(ec2, net)
    web_sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=net.vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    acl = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
    entries = [(100, False, "6", (443, 443)), (110, False, "1", None), (120, False, "6", (1024, 65535)),
               (100, True, "6", (1024, 65535)), (110, True, "6", (3306, 3306))]
    for number, egress, protocol, ports in entries:
        kw = {"PortRange": {"From": ports[0], "To": ports[1]}} if ports else {"IcmpTypeCode": {"Type": -1, "Code": -1}}
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=number, Egress=egress, Protocol=protocol,
                                     RuleAction="allow", CidrBlock="0.0.0.0/0", **kw)
    assoc = next(a["NetworkAclAssociationId"]
                 for a in ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id",
                                                               "Values": [net.subnet_id]}])["NetworkAcls"][0]["Associations"]
                 if a["SubnetId"] == net.subnet_id)
    ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)
    private = ec2.create_subnet(VpcId=net.vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    db_sg = ec2.create_security_group(GroupName="db", Description="db", VpcId=net.vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=db_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "UserIdGroupPairs": [{"GroupId": web_sg}]}])
    web = run_instance(ec2, net.subnet_id, SecurityGroupIds=[web_sg])
    db = run_instance(ec2, private, SecurityGroupIds=[db_sg])
    eip = ec2.allocate_address()["AllocationId"]
    ec2.associate_address(AllocationId=eip, InstanceId=web["InstanceId"])
    return {"net": net, "web": web, "db": db}


def replay(vpclab_binary, endpoint, tmp_path, text):
    path = tmp_path / "traffic.txt"
    path.write_text(text)
    return subprocess.run([str(vpclab_binary), "traffic", str(path), "--endpoint", endpoint],
                          capture_output=True, text=True, timeout=60)


def test_replayed_flows_land_in_s3_layout_and_read_with_gzip_and_awk(vpclab_binary, endpoint, ec2, shop, tmp_path):
    bucket = f"flows-{uuid.uuid4().hex[:8]}"
    fl = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[shop["net"].vpc_id], TrafficType="ALL",
                              LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{bucket}/shop")
    flow_log_id = fl["FlowLogIds"][0]
    web, db = shop["web"], shop["db"]
    out = replay(vpclab_binary, endpoint, tmp_path, f"""
# from        to           protocol port options
internet      {web['InstanceId']}  tcp  443  src=198.51.100.7 sport=50000 packets=12 bytes=3000 start=1700000000
internet      {web['InstanceId']}  icmp      src=198.51.100.8 start=1700000000
internet      {web['InstanceId']}  tcp  22   src=198.51.100.9 sport=50001 start=1700000000
{web['InstanceId']} {db['InstanceId']} tcp 3306 sport=40000 start=1700000000
""")
    assert out.returncode == 0, out.stderr + out.stdout
    assert "flow log files written" in out.stdout

    base = flow_log_root(endpoint) / "s3" / bucket / "shop" / "AWSLogs" / DEFAULT_ACCOUNT / "vpcflowlogs" / DEFAULT_REGION
    files = sorted(base.glob("2023/11/14/*.log.gz"))
    assert len(files) == 1, list(base.rglob("*"))
    name = files[0].name
    assert name.startswith(f"{DEFAULT_ACCOUNT}_vpcflowlogs_{DEFAULT_REGION}_{flow_log_id}_20231114T")
    text = subprocess.run(["gzip", "-dc", str(files[0])], capture_output=True, text=True, check=True).stdout
    lines = text.splitlines()
    assert lines[0] == ("version account-id interface-id srcaddr dstaddr srcport dstport protocol "
                        "packets bytes start end action log-status")
    # awk: action per (srcaddr, dstport, protocol).
    summary = subprocess.run(["awk", 'NR > 1 { print $4, $7, $8, $13 }'], input=text,
                             capture_output=True, text=True, check=True).stdout.splitlines()
    web_ip, db_ip = web["PrivateIpAddress"], db["PrivateIpAddress"]
    assert "198.51.100.7 443 6 ACCEPT" in summary           # HTTPS in
    assert f"{web_ip} 50000 6 ACCEPT" in summary             # its reply out to the ephemeral port
    assert "198.51.100.8 0 1 ACCEPT" in summary              # ping in: accepted...
    assert f"{web_ip} 0 1 REJECT" in summary                 # ...its reply refused by the ACL
    assert "198.51.100.9 22 6 REJECT" in summary             # SSH: the security group says no
    assert not any(s.startswith(f"{web_ip} 50001") for s in summary), "a rejected request has no reply"
    assert f"{web_ip} 3306 6 ACCEPT" in summary              # web → db, leaving web and entering db
    assert f"{db_ip} 40000 6 ACCEPT" in summary              # db's reply
    https_in = next(l.split() for l in lines[1:] if l.split()[3] == "198.51.100.7")
    assert https_in[0] == "2" and https_in[1] == DEFAULT_ACCOUNT
    assert https_in[2] == web["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert (https_in[8], https_in[9], https_in[10]) == ("12", "3000", "1700000000")


def test_cloud_watch_stream_per_interface_with_a_custom_format_and_reject_only(vpclab_binary, endpoint, ec2, shop, tmp_path):
    group = f"/vpc/rejects-{uuid.uuid4().hex[:8]}"
    web_eni = shop["web"]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.create_flow_logs(ResourceType="NetworkInterface", ResourceIds=[web_eni], TrafficType="REJECT",
                         LogGroupName=group, DeliverLogsPermissionArn=ROLE,
                         LogFormat="${interface-id} ${srcaddr} ${dstport} ${flow-direction} ${action} ${tcp-flags}")
    out = replay(vpclab_binary, endpoint, tmp_path, f"""
internet {shop['web']['InstanceId']} tcp 443 src=198.51.100.7
internet {shop['web']['InstanceId']} tcp 22 src=198.51.100.9
""")
    assert out.returncode == 0, out.stderr
    stream = flow_log_root(endpoint) / "logs" / group.lstrip("/") / f"{web_eni}.log"
    if not stream.exists():
        stream = next((flow_log_root(endpoint) / "logs").rglob(f"{web_eni}.log"))
    lines = stream.read_text().splitlines()
    assert lines == [f"{web_eni} 198.51.100.9 22 ingress REJECT 2"]


@pytest.mark.parametrize("text,fragment", [
    ("i-0123456789abcdef0", "line 1: the destination is missing"),
    ("internet i-0123456789abcdef0 tcp 443", "does not exist"),
    ("internet 10.0.0.1 smtp", "not tcp"),
    ("internet 10.0.0.1 tcp 443 colour=red", "unknown option"),
])
def test_bad_traffic_files_are_refused_with_the_line(endpoint, text, fragment):
    r = requests.post(f"{endpoint}/_vpclab/traffic", data=text.encode(), timeout=10)
    assert r.status_code == 400, r.text
    assert fragment in r.json()["error"]["message"]
    r = requests.post(f"{endpoint}/_vpclab/traffic", data=b"\xff\xfe", timeout=10)
    assert r.status_code == 400

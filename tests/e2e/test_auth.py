"""SigV4 verification: a server started with --credentials FILE.

The right key works with boto3 and the AWS CLI in every protocol (EC2 query, awsQuery: ELBv2
and STS, restXml: Route 53, awsJson: Direct Connect and Route 53 Resolver) and acts in the
account the file gives it; a wrong secret, an unknown key, an unsigned request and a signature
20 minutes old each get the service's own error code and HTTP status; presigned URLs work with
requests and curl until they expire. Also: a bad credentials file stops the server at start-up
naming the line, and client-supplied text is escaped in the server's log.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
from urllib.parse import quote

import botocore.auth
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import AwsCli
from vpclab_helpers import DEFAULT_ACCOUNT, VpclabServer, make_client

KEY, SECRET, ACCOUNT = "AKIDE2EAUTH", "e2e/Secret+Key", "111122223333"
PLAIN_KEY, PLAIN_SECRET = "AKIDE2EPLAIN", "plain-secret"

CREDENTIALS = f"""# e2e keys
[default]
aws_access_key_id = {KEY}
aws_secret_access_key = {SECRET}
aws_account_id = {ACCOUNT}

; a key without an account acts in the default one
[plain]
aws_access_key_id = {PLAIN_KEY}
aws_secret_access_key = {PLAIN_SECRET}
region = eu-west-1
"""


@pytest.fixture(scope="module")
def auth_server(vpclab_binary, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("auth")
    creds = tmp / "credentials"
    creds.write_text(CREDENTIALS)
    server = VpclabServer(vpclab_binary, state_dir=None, log_path=tmp / "vpclab.log", in_memory=True,
                          extra_args=["--credentials", str(creds)])
    server.start()
    yield server
    server.stop()


@pytest.fixture
def signed_in(auth_server):
    """client(service, region='us-east-1', key=KEY, secret=SECRET) against the verifying server."""

    def client(service, region="us-east-1", key=KEY, secret=SECRET):
        return make_client(auth_server.endpoint, service=service, region=region, access_key=key, secret_key=secret)

    return client


# --------------------------------------------------------------------------- the right key


def test_the_right_key_works_in_every_protocol_and_lands_in_its_account(signed_in):
    assert signed_in("sts").get_caller_identity()["Account"] == ACCOUNT
    ec2 = signed_in("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == ACCOUNT
    assert vpc["VpcId"] in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    tg = signed_in("elbv2").create_target_group(Name="auth-tg", Protocol="HTTP", Port=80,
                                                VpcId=vpc["VpcId"])["TargetGroups"][0]
    assert f":{ACCOUNT}:targetgroup/auth-tg/" in tg["TargetGroupArn"]
    r53 = signed_in("route53")
    zone = r53.create_hosted_zone(Name="auth.example.com", CallerReference="auth-1")["HostedZone"]
    assert zone["Id"] in {z["Id"] for z in r53.list_hosted_zones()["HostedZones"]}
    dx = signed_in("directconnect", region="eu-central-1")
    conn = dx.create_connection(location="EqFA5", bandwidth="1Gbps", connectionName="auth")
    assert conn["ownerAccount"] == ACCOUNT and conn["region"] == "eu-central-1"
    rule = signed_in("route53resolver").create_resolver_rule(
        CreatorRequestId="auth-rule", RuleType="SYSTEM", DomainName="auth.internal")["ResolverRule"]
    assert rule["OwnerId"] == ACCOUNT and f":{ACCOUNT}:" in rule["Arn"]


def test_a_key_without_an_account_acts_in_the_default_one(signed_in):
    assert signed_in("sts", key=PLAIN_KEY, secret=PLAIN_SECRET).get_caller_identity()["Account"] == DEFAULT_ACCOUNT
    vpc = signed_in("ec2", key=PLAIN_KEY, secret=PLAIN_SECRET).create_vpc(CidrBlock="10.62.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == DEFAULT_ACCOUNT


def test_a_twelve_digit_key_not_in_the_file_is_refused(signed_in):
    with pytest.raises(ClientError) as e:
        signed_in("sts", key=ACCOUNT, secret="anything").get_caller_identity()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"


CLI_CALLS = {
    "ec2": ["ec2", "describe-vpcs"],
    "elbv2": ["elbv2", "describe-load-balancers"],
    "route53": ["route53", "list-hosted-zones"],
    "directconnect": ["directconnect", "describe-connections"],
    "route53resolver": ["route53resolver", "list-resolver-rules"],
}
CLI_WRONG_SECRET = {
    "ec2": "AuthFailure",
    "elbv2": "SignatureDoesNotMatch",
    "route53": "SignatureDoesNotMatch",
    "directconnect": "InvalidSignatureException",
    "route53resolver": "InvalidSignatureException",
}


@pytest.mark.parametrize("service", sorted(CLI_CALLS))
def test_the_aws_cli_signs_with_the_right_key_and_is_refused_with_a_wrong_one(auth_server, tmp_path, service):
    cli = AwsCli(auth_server.endpoint, tmp_path)
    ok = cli(*CLI_CALLS[service], access_key=KEY, secret_key=SECRET)
    assert ok.json is not None
    bad = cli(*CLI_CALLS[service], access_key=KEY, secret_key="wrong", check=False)
    assert bad.returncode != 0 and f"({CLI_WRONG_SECRET[service]})" in bad.stderr, bad.stderr


# --------------------------------------------------------------------------- refusals, per protocol

# (signing name, method, path, headers, body) of one harmless call per protocol
CALLS = {
    "ec2": ("ec2", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            b"Action=DescribeVpcs&Version=2016-11-15"),
    "elbv2": ("elasticloadbalancing", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
              b"Action=DescribeLoadBalancers&Version=2015-12-01"),
    "sts": ("sts", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            b"Action=GetCallerIdentity&Version=2011-06-15"),
    "route53": ("route53", "GET", "/2013-04-01/hostedzone", {}, b""),
    "directconnect": ("directconnect", "POST", "/", {"Content-Type": "application/x-amz-json-1.1",
                                                     "X-Amz-Target": "OvertureService.DescribeConnections"}, b"{}"),
    "route53resolver": ("route53resolver", "POST", "/", {"Content-Type": "application/x-amz-json-1.1",
                                                         "X-Amz-Target": "Route53Resolver.ListResolverRules"}, b"{}"),
}

# what each protocol answers: wrong secret, unknown key, unsigned, 20-minute-old signature
EC2 = {"wrong_secret": ("AuthFailure", 401), "unknown_key": ("AuthFailure", 401),
       "unsigned": ("MissingParameter", 400), "old": ("RequestExpired", 400)}
QUERY = {"wrong_secret": ("SignatureDoesNotMatch", 403), "unknown_key": ("InvalidClientTokenId", 403),
         "unsigned": ("MissingAuthenticationToken", 403), "old": ("SignatureDoesNotMatch", 403)}
JSON = {"wrong_secret": ("InvalidSignatureException", 400), "unknown_key": ("UnrecognizedClientException", 400),
        "unsigned": ("MissingAuthenticationTokenException", 400), "old": ("InvalidSignatureException", 400)}
EXPECTED = {"ec2": EC2, "elbv2": QUERY, "sts": QUERY, "route53": QUERY, "directconnect": JSON, "route53resolver": JSON}


def send(endpoint, service, *, key=KEY, secret=SECRET, at=None, sign=True):
    """One call of CALLS[service], signed as botocore signs (at `at`, default now) or not."""
    name, method, path, headers, body = CALLS[service]
    req = AWSRequest(method=method, url=endpoint + path, data=body, headers=dict(headers))
    if sign:
        real = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = (lambda *a, **k: at) if at else real
        try:
            SigV4Auth(Credentials(key, secret), name, "us-east-1").add_auth(req)
        finally:
            botocore.auth.get_current_datetime = real
    return requests.request(method, endpoint + path, data=body, headers=dict(req.headers), timeout=10)


def error_of(r: requests.Response) -> tuple[str, str]:
    if r.headers.get("Content-Type", "").startswith("application/x-amz-json"):
        doc = r.json()
        return doc["__type"], doc["message"]
    code = re.search(r"<Code>([^<]+)</Code>", r.text)
    message = re.search(r"<Message>([^<]*)</Message>", r.text)
    assert code and message, r.text
    return code.group(1), message.group(1)


@pytest.mark.parametrize("service", sorted(CALLS))
def test_each_protocol_refuses_bad_signatures_with_its_own_code(auth_server, service):
    endpoint = auth_server.endpoint
    assert send(endpoint, service).status_code == 200
    twenty_minutes_ago = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    answers = {
        "wrong_secret": send(endpoint, service, secret="not-the-secret"),
        "unknown_key": send(endpoint, service, key="AKIDNOSUCHKEY"),
        "unsigned": send(endpoint, service, sign=False),
        "old": send(endpoint, service, at=twenty_minutes_ago),
    }
    for case, r in answers.items():
        code, message = error_of(r)
        assert (code, r.status_code) == EXPECTED[service][case], (case, r.status_code, r.text)
    if service != "ec2":  # EC2 says "Request has expired."; the others give the times
        assert error_of(answers["old"])[1].startswith("Signature expired: "), answers["old"].text
    assert error_of(answers["unsigned"])[1] in (
        "The request must contain the parameter AWSAccessKeyId", "Request is missing Authentication Token")


def test_a_tampered_body_is_refused(auth_server):
    name, method, path, headers, body = CALLS["ec2"]
    req = AWSRequest(method="POST", url=auth_server.endpoint + "/", data=body, headers=dict(headers))
    SigV4Auth(Credentials(KEY, SECRET), "ec2", "us-east-1").add_auth(req)
    other = b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.63.0.0/16"
    r = requests.post(auth_server.endpoint + "/", data=other, headers=dict(req.headers), timeout=10)
    assert (error_of(r)[0], r.status_code) == ("AuthFailure", 401), r.text
    ec2 = make_client(auth_server.endpoint, "ec2", access_key=KEY, secret_key=SECRET)
    assert not [v for v in ec2.describe_vpcs()["Vpcs"] if v["CidrBlock"] == "10.63.0.0/16"]


# --------------------------------------------------------------------------- presigned URLs


def test_a_presigned_describe_vpcs_url_works_with_requests_and_curl(signed_in):
    ec2 = signed_in("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.64.0.0/16")["Vpc"]["VpcId"]
    url = ec2.generate_presigned_url("describe_vpcs", Params={"VpcIds": [vpc]}, ExpiresIn=300)
    r = requests.get(url, timeout=10)
    assert r.status_code == 200 and f"<vpcId>{vpc}</vpcId>" in r.text, r.text
    if shutil.which("curl"):
        out = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", url], capture_output=True, text=True, timeout=30)
        body, status = out.stdout.rsplit("\n", 1)
        assert status == "200" and f"<vpcId>{vpc}</vpcId>" in body, out.stdout
    # The signature covers the parameters: another VPC id is refused.
    tampered = url.replace(f"VpcId.1={vpc}", "VpcId.1=vpc-0123456789abcdef0")
    r = requests.get(tampered, timeout=10)
    assert (error_of(r)[0], r.status_code) == ("AuthFailure", 401), r.text


def test_an_expired_presigned_url_is_refused(signed_in, monkeypatch):
    ec2 = signed_in("ec2")
    ten_minutes_ago = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=10)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: ten_minutes_ago)
    url = ec2.generate_presigned_url("describe_vpcs", ExpiresIn=60)
    monkeypatch.undo()
    r = requests.get(url, timeout=10)
    assert (error_of(r), r.status_code) == (("RequestExpired", "Request has expired."), 400), r.text


# --------------------------------------------------------------------------- start-up and log


def test_a_bad_credentials_file_stops_the_server_naming_the_line(vpclab_binary, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("[default]\naws_access_key_id = AKIDX\naws_secret_access_key = s\naws_account_id = 12345\n")
    out = subprocess.run([str(vpclab_binary), "serve", "--in-memory", "--listen", "127.0.0.1:0",
                          "--dns-listen", "127.0.0.1:0", "--credentials", str(creds)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "line 4" in out.stderr and "twelve digits" in out.stderr and str(creds) in out.stderr, out.stderr
    missing = subprocess.run([str(vpclab_binary), "serve", "--in-memory", "--credentials", str(tmp_path / "nope")],
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode != 0 and "nope" in missing.stderr, missing.stderr


def test_client_text_is_escaped_in_the_log(auth_server):
    forged = "Describe\nvpclab 0.1.0 listening on http://0.0.0.0:1 (FORGED)\u001b[31m"
    body = "Action=" + quote(forged) + "&Version=2016-11-15"
    req = AWSRequest(method="POST", url=auth_server.endpoint + "/", data=body.encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(KEY, SECRET), "ec2", "us-east-1").add_auth(req)
    r = requests.post(auth_server.endpoint + "/", data=body.encode(), headers=dict(req.headers), timeout=10)
    assert error_of(r)[0] == "InvalidAction", r.text
    log = auth_server.log_path.read_text(errors="replace")
    assert "\x1b" not in log
    lines = [l for l in log.splitlines() if "FORGED" in l]
    assert len(lines) == 1 and lines[0].startswith("Ec2 Describe\\nvpclab"), lines
    assert "\\u{1b}[31m" in lines[0], lines

"""No web page can drive the server.

What a page in the user's browser can send — a cross-origin fetch or form POST (with an
`Origin`), a `text/plain` POST, a plain `GET /?Action=CreateVpc…` from an `<img>`, a presigned
URL fired cross-site, a POST to the reset endpoint — and what a DNS-rebinding page sends (a
foreign `Host`) is refused with the right status and body, and nothing changes. Against the
shared server, and a second one started with `--allow-origin` / `--allow-host` for what those
allow (CORS answers).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests

from vpclab_helpers import EC2_API_VERSION, RESET_PATH, VpclabServer, make_client, sign_headers

EVIL = "http://evil.example"
ALLOWED = "http://localhost:3000"
CREATE = f"Action=CreateVpc&CidrBlock=10.77.0.0/16&Version={EC2_API_VERSION}"


def code_of(r: requests.Response) -> str:
    if r.headers.get("Content-Type", "").startswith("application/json"):
        return r.json()["error"]["code"]
    if r.headers.get("Content-Type", "").startswith("application/x-amz-json"):
        return r.json()["__type"]
    m = re.search(r"<Code>([^<]+)</Code>", r.text)
    assert m, r.text
    return m.group(1)


def no_new_vpc(ec2):
    assert not [v for v in ec2.describe_vpcs()["Vpcs"] if v["CidrBlock"] == "10.77.0.0/16"]


def signed_post(endpoint, body: str, **extra):
    headers = sign_headers(endpoint, body.encode())
    headers.update(extra)
    return requests.post(endpoint + "/", data=body, headers=headers, timeout=10)


# --------------------------------------------------------------------------- the shared server


def test_a_foreign_origin_is_refused_even_when_signed(endpoint, ec2):
    r = signed_post(endpoint, CREATE, Origin=EVIL)
    assert r.status_code == 403 and code_of(r) == "AccessDenied", r.text
    assert "<Response><Errors><Error>" in r.text and "--allow-origin" in r.text
    no_new_vpc(ec2)
    # In the format of the service asked: awsJson and restXml too.
    body = b"{}"
    headers = sign_headers(endpoint, body, service="directconnect", content_type="application/x-amz-json-1.1")
    headers.update({"X-Amz-Target": "OvertureService.DescribeConnections", "Origin": EVIL})
    r = requests.post(endpoint + "/", data=body, headers=headers, timeout=10)
    assert (r.status_code, code_of(r)) == (403, "AccessDeniedException"), r.text
    r = requests.get(endpoint + "/2013-04-01/hostedzone", headers={"Origin": EVIL}, timeout=10)
    assert r.status_code == 403 and "<ErrorResponse" in r.text and code_of(r) == "AccessDenied", r.text
    r = requests.get(endpoint + "/_vpclab/endpoints", headers={"Origin": EVIL}, timeout=10)
    assert (r.status_code, code_of(r)) == (403, "AccessDenied"), r.text


def test_a_foreign_host_is_refused(endpoint, ec2):
    """A DNS-rebinding page reaches the server under its own name."""
    for path in ("/_vpclab/health", "/_vpclab/endpoints"):
        r = requests.get(endpoint + path, headers={"Host": "evil.example"}, timeout=10)
        assert (r.status_code, code_of(r)) == (403, "AccessDenied"), r.text
        assert "evil.example" in r.json()["error"]["message"]
    port = urlsplit(endpoint).port
    r = signed_post(endpoint, CREATE, Host=f"evil.example:{port}")
    assert (r.status_code, code_of(r)) == (403, "AccessDenied"), r.text
    no_new_vpc(ec2)
    # IP literals and localhost are fine.
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::ffff:127.0.0.1]:{port}"):
        assert requests.get(endpoint + "/_vpclab/health", headers={"Host": host}, timeout=10).status_code == 200


def test_a_text_plain_form_post_is_refused(endpoint, ec2):
    # From a page: the browser adds Origin and Sec-Fetch-Site.
    page = {"Content-Type": "text/plain", "Origin": EVIL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}
    r = requests.post(endpoint + "/", data=CREATE, headers=page, timeout=10)
    assert (r.status_code, code_of(r)) == (403, "AccessDenied"), r.text
    # The same bytes from curl are unsigned: refused as EC2 refuses unsigned requests.
    r = requests.post(endpoint + "/", data=CREATE, headers={"Content-Type": "text/plain"}, timeout=10)
    assert (r.status_code, code_of(r)) == (400, "MissingParameter"), r.text
    assert "AWSAccessKeyId" in r.text
    no_new_vpc(ec2)


def test_a_plain_get_of_an_action_is_refused(endpoint, ec2):
    r = requests.get(endpoint + "/?" + CREATE, timeout=10)
    assert (r.status_code, code_of(r)) == (400, "MissingParameter"), r.text
    r = requests.get(endpoint + "/?" + CREATE, headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image"},
                     timeout=10)
    assert (r.status_code, code_of(r)) == (403, "AccessDenied"), r.text
    no_new_vpc(ec2)


def test_a_presigned_url_fired_cross_site_is_refused(endpoint, ec2):
    url = ec2.generate_presigned_url("create_vpc", Params={"CidrBlock": "10.77.0.0/16"}, ExpiresIn=300)
    # An <img src=…> on another site: no Origin, but Sec-Fetch-Site says where it comes from.
    r = requests.get(url, headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors",
                                   "Sec-Fetch-Dest": "image"}, timeout=10)
    assert (r.status_code, code_of(r)) == (403, "AccessDenied"), r.text
    no_new_vpc(ec2)
    # The same URL typed into the address bar (Sec-Fetch-Site: none) or used by curl works.
    r = requests.get(url, headers={"Sec-Fetch-Site": "none"}, timeout=10)
    assert r.status_code == 200 and "<vpcId>" in r.text, r.text


@pytest.mark.parametrize("path", [RESET_PATH, "/moto-api/reset"])
def test_reset_is_post_only_and_refused_from_browsers(endpoint, ec2, path):
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    r = requests.get(endpoint + path, timeout=10)
    assert (r.status_code, code_of(r)) == (405, "MethodNotAllowed") and r.headers["Allow"] == "POST", r.text
    for headers in ({"Origin": EVIL}, {"Origin": f"http://127.0.0.1:{urlsplit(endpoint).port}"},
                    {"Sec-Fetch-Mode": "navigate"}, {"Sec-Fetch-Site": "same-origin"}):
        r = requests.post(endpoint + path, headers=headers, timeout=10)
        assert (r.status_code, code_of(r)) == (403, "AccessDenied"), (headers, r.text)
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["VpcId"] == vpc  # state intact


def test_the_servers_own_origin_is_allowed(endpoint, ec2):
    own = f"http://127.0.0.1:{urlsplit(endpoint).port}"
    r = signed_post(endpoint, f"Action=DescribeVpcs&Version={EC2_API_VERSION}", Origin=own,
                    **{"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200, r.text


# --------------------------------------------------------------------------- --allow-origin / --allow-host


@pytest.fixture(scope="module")
def open_server(vpclab_binary, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    server = VpclabServer(vpclab_binary, state_dir=None, log_path=tmp / "vpclab.log", in_memory=True,
                          extra_args=["--allow-origin", ALLOWED, "--allow-host", "vpclab.test"])
    server.start()
    yield server
    server.stop()


def test_an_allowed_origin_gets_cors_answers(open_server):
    ep = open_server.endpoint
    r = requests.options(ep + "/", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-user-agent,amz-sdk-request"},
        timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Headers"] == \
        "authorization, content-type, x-amz-date, x-amz-user-agent, amz-sdk-request"
    r = signed_post(ep, f"Action=DescribeVpcs&Version={EC2_API_VERSION}", Origin=ALLOWED,
                    **{"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors"})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == ALLOWED, r.text
    assert "x-amzn-requestid" in r.headers["Access-Control-Expose-Headers"]
    # Other origins, and their preflights, are still refused; reset stays refused from browsers.
    r = requests.options(ep + "/", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}, timeout=10)
    assert (r.status_code, code_of(r)) == (403, "AccessDenied") and "Access-Control-Allow-Origin" not in r.headers
    r = requests.post(ep + RESET_PATH, headers={"Origin": ALLOWED}, timeout=10)
    assert (r.status_code, code_of(r)) == (403, "AccessDenied"), r.text


def test_an_allowed_host_is_served(open_server):
    port = urlsplit(open_server.endpoint).port
    r = requests.get(open_server.endpoint + "/_vpclab/health", headers={"Host": f"vpclab.test:{port}"}, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.get(open_server.endpoint + "/_vpclab/health", headers={"Host": f"other.test:{port}"}, timeout=10)
    assert r.status_code == 403
    ec2 = make_client(open_server.endpoint, "ec2")
    assert ec2.describe_vpcs()["Vpcs"]  # the SDK's own requests are unaffected

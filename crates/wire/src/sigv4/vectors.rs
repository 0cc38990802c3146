//! Known-answer tests of verification: AWS's published SigV4 test suite (the requests of
//! `aws-signing-test-suite/v4` in awslabs/aws-c-auth, signed with its example key) and
//! requests botocore 1.43 signed for every protocol vpclab serves (at 2024-05-01T12:00:00Z,
//! key `AKIDVPCLAB` / `vpclab/Secret+Key`), each as raw HTTP text.

use super::*;
use crate::ErrorFormat;
use crate::time::Timestamp;

const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SUITE_TIME: &str = "20150830T123600Z";
const BOTOCORE_SECRET: &str = "vpclab/Secret+Key";
const BOTOCORE_TIME: &str = "20240501T120000Z";

/// `(name, request)`: the suite's header-signed and presigned requests.
const SUITE: &[(&str, &str)] = &[
    (
        "get-vanilla",
        "GET / HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "post-vanilla",
        "POST / HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-vanilla-query-order-key-case",
        "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-vanilla-query-order-encoded",
        "GET /?Param-3=Value3&Param=Value2&%E1%88%B4=Value1 HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-vanilla-query-unreserved",
        "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-vanilla-utf8-query",
        "GET /?ሴ=bar HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-unreserved",
        "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-utf8",
        "GET /ሴ HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-space-normalized",
        "GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-slashes-normalized",
        "GET //example// HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-relative-relative-normalized",
        "GET /example1/example2/../.. HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-header-value-trim",
        "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\nMy-Header2: \"a   b   c\"\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-header-key-duplicate",
        "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value2\nMy-Header1:value2\nMy-Header1:value1\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-header-value-order",
        "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value4\nMy-Header1:value1\nMy-Header1:value3\nMy-Header1:value2\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-vanilla-with-session-token",
        "GET / HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8\nX-Amz-Date:20150830T123600Z\nX-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\n",
    ),
    (
        "post-x-www-form-urlencoded",
        "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\nHost:example.amazonaws.com\nContent-Length:13\nx-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b\nX-Amz-Date:20150830T123600Z\n\nParam1=value1",
    ),
    (
        "get-vanilla-query-order-key-case (presigned)",
        "GET /?Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
    ),
    (
        "get-vanilla-utf8-query (presigned)",
        "GET /?ሴ=bar&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=0bdd809b1519ac4f0c1dc3540e2cc46bd0c7f778eda408b2ebf3b913d21ff600 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
    ),
];

/// `(name, request)`: botocore's signatures for each protocol.
const BOTOCORE: &[(&str, &str)] = &[
    ("ec2_create_vpc", "POST / HTTP/1.1
host:127.0.0.1:4566
content-type:application/x-www-form-urlencoded; charset=utf-8
user-agent:Botocore/1.43.11 ua/2.1 lang/python#3.11.7
x-amz-date:20240501T120000Z
authorization:AWS4-HMAC-SHA256 Credential=AKIDVPCLAB/20240501/eu-west-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=153cd0e03e0e37d1c8bb228a18f3a21deef2567fb695b19b4fabaac49ea5cff8
content-length:177

Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=a+b%2Fc%2A%C3%A9"),
    ("elbv2_describe", "POST / HTTP/1.1
host:127.0.0.1:4566
content-type:application/x-www-form-urlencoded; charset=utf-8
user-agent:Botocore/1.43.11 ua/2.1 lang/python#3.11.7
x-amz-date:20240501T120000Z
authorization:AWS4-HMAC-SHA256 Credential=AKIDVPCLAB/20240501/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=c4227744fbe02c5e95c0e3aabfa2bd250fbaf2e20ba2a645301a1d35c0898ef4
content-length:66

Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=web"),
    ("sts_identity", "POST / HTTP/1.1
host:127.0.0.1:4566
content-type:application/x-www-form-urlencoded; charset=utf-8
user-agent:Botocore/1.43.11 ua/2.1 lang/python#3.11.7
x-amz-date:20240501T120000Z
authorization:AWS4-HMAC-SHA256 Credential=AKIDVPCLAB/20240501/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=8a0228eabc27c688423556336544c81e1d7fc9114b050cbfb1a2a46192d3c8ce
content-length:43

Action=GetCallerIdentity&Version=2011-06-15"),
    ("route53_rrsets", "GET /2013-04-01/hostedzone/Z0123456789ABC/rrset?name=%2A.example.com&type=A&maxitems=5 HTTP/1.1
host:127.0.0.1:4566
user-agent:Botocore/1.43.11 ua/2.1 lang/python#3.11.7
x-amz-date:20240501T120000Z
authorization:AWS4-HMAC-SHA256 Credential=AKIDVPCLAB/20240501/us-east-1/route53/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe74ac8d89e3d143634b9b2d9751ebe45a7effba40502c60bfd4b39c5b470c7e

"),
    ("route53_change", "POST /2013-04-01/hostedzone/Z0123456789ABC/rrset/ HTTP/1.1
host:127.0.0.1:4566
user-agent:Botocore/1.43.11 ua/2.1 lang/python#3.11.7
x-amz-date:20240501T120000Z
authorization:AWS4-HMAC-SHA256 Credential=AKIDVPCLAB/20240501/us-east-1/route53/aws4_request, SignedHeaders=host;x-amz-date, Signature=157bb94ee642f134df055251b4188969768305231dce1e96d27077c24fc3edd6
content-length:393

<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>www.example.com</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>127.0.0.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"),
    ("route53_delete_zone", "DELETE /2013-04-01/hostedzone/Z0123456789ABC HTTP/1.1
host:127.0.0.1:4566
user-agent:Botocore/1.43.11 ua/2.1 lang/python#3.11.7
x-amz-date:20240501T120000Z
authorization:AWS4-HMAC-SHA256 Credential=AKIDVPCLAB/20240501/us-east-1/route53/aws4_request, SignedHeaders=host;x-amz-date, Signature=3544025eaac074b4bf370cc40ff7d8b0b4929fd3bf5fa403b0cb5ddf1dd3c097
content-length:0

"),
    ("directconnect", "POST / HTTP/1.1
host:127.0.0.1:4566
x-amz-target:OvertureService.DescribeConnections
content-type:application/x-amz-json-1.1
user-agent:Botocore/1.43.11 ua/2.1 lang/python#3.11.7
x-amz-date:20240501T120000Z
authorization:AWS4-HMAC-SHA256 Credential=AKIDVPCLAB/20240501/eu-central-1/directconnect/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=e0c6d5c0cb626e913baf592dac6eb82939356c59aa24a71709c74fd09c5df36c
content-length:34

{\"connectionId\": \"dxcon-abcd1234\"}"),
    ("route53resolver", "POST / HTTP/1.1
host:127.0.0.1:4566
x-amz-target:Route53Resolver.ListResolverRules
content-type:application/x-amz-json-1.1
user-agent:Botocore/1.43.11 ua/2.1 lang/python#3.11.7
x-amz-date:20240501T120000Z
authorization:AWS4-HMAC-SHA256 Credential=AKIDVPCLAB/20240501/us-east-1/route53resolver/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=17d7554a142aa33906c097c4b0c33d7bdc0a0a0ac3343d547f1bb6947dc80b60
content-length:17

{\"MaxResults\": 5}"),
    ("ec2_presigned", "GET /?Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDVPCLAB%2F20240501%2Fus-east-1%2Fec2%2Faws4_request&X-Amz-Date=20240501T120000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=ef6e963b6ed365bdb972d985e4a16d8950d41f5c437ecfd10653d7a17dd26045 HTTP/1.1
host:127.0.0.1:4566

"),
    ("ec2_presigned_for_get", "GET /?Action=DescribeVpcs&Version=2016-11-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDVPCLAB%2F20240501%2Fus-east-1%2Fec2%2Faws4_request&X-Amz-Date=20240501T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=5987e69032a7970b6f1d5833c70967fc44715ad44fb8013b17f6deb7b72791ce HTTP/1.1
host:127.0.0.1:4566

"),
    ("route53_presigned", "GET /2013-04-01/hostedzone?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDVPCLAB%2F20240501%2Fus-east-1%2Froute53%2Faws4_request&X-Amz-Date=20240501T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=0e413093e868a5fec351ade10f19aa9e29c710cf528f69b97c41f9d7a9f5cc4d HTTP/1.1
host:127.0.0.1:4566

"),
];

/// A request as raw HTTP text, split into what [`HttpRequest`] borrows.
struct Raw {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn parse(text: &str) -> Raw {
        let (head, body) = text.split_once("\n\n").unwrap();
        let mut lines = head.lines();
        let request_line = lines.next().unwrap();
        let (method, rest) = request_line.split_once(' ').unwrap();
        let target = rest.strip_suffix(" HTTP/1.1").unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let headers = lines
            .map(|l| l.split_once(':').unwrap())
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
            .collect();
        Raw {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&HttpRequest<'_>) -> T) -> T {
        let headers: Vec<(&str, &str)> =
            self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        f(&HttpRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &headers,
            body: &self.body,
        })
    }

    fn verify(&self, secret: &str, now: i64) -> Result<Credential, AuthFailure> {
        self.with(|req| verify(req, |_| Some(secret), now))
    }
}

fn secs(basic: &str) -> i64 {
    Timestamp::parse_basic(basic).unwrap().secs()
}

fn all_vectors() -> impl Iterator<Item = (&'static str, Raw, &'static str, i64)> {
    let suite = SUITE.iter().map(|(n, t)| (*n, Raw::parse(t), SUITE_SECRET, secs(SUITE_TIME)));
    let boto =
        BOTOCORE.iter().map(|(n, t)| (*n, Raw::parse(t), BOTOCORE_SECRET, secs(BOTOCORE_TIME)));
    suite.chain(boto)
}

#[test]
fn published_and_botocore_signatures_verify() {
    for (name, raw, secret, now) in all_vectors() {
        let c = raw.verify(secret, now).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(!c.region.is_empty() && !c.service.is_empty(), "{name}");
        // A few minutes either way is within the allowed skew (a presigned URL's own expiry
        // may be shorter).
        let later = if raw.query.contains("X-Amz-Expires=60&") { 50 } else { 600 };
        assert!(raw.verify(secret, now + later).is_ok(), "{name}");
        assert!(raw.verify(secret, now - 600).is_ok(), "{name}");
    }
}

#[test]
fn another_secret_does_not_verify() {
    for (name, raw, _, now) in all_vectors() {
        let e = raw.verify("not-the-secret", now).unwrap_err();
        assert!(matches!(e, AuthFailure::Mismatch(_)), "{name}: {e:?}");
    }
}

#[test]
fn an_unknown_key_is_refused_first() {
    let raw = Raw::parse(BOTOCORE[0].1);
    let e = raw.with(|req| verify(req, |_| None, secs(BOTOCORE_TIME))).unwrap_err();
    assert_eq!(e, AuthFailure::UnknownKey);
    let e = raw.with(|req| verify(req, |id| (id == "AKIDVPCLAB").then_some("x"), 0)).unwrap_err();
    assert!(matches!(e, AuthFailure::Mismatch(_) | AuthFailure::Skew(_)), "{e:?}");
}

#[test]
fn old_and_future_signatures_are_refused() {
    for (name, raw, secret, now) in all_vectors().filter(|(n, ..)| !n.contains("presigned")) {
        match raw.verify(secret, now + 20 * 60) {
            Err(AuthFailure::Skew(m)) => {
                assert!(m.starts_with("Signature expired: "), "{name}: {m}")
            }
            other => panic!("{name}: {other:?}"),
        }
        match raw.verify(secret, now - 20 * 60) {
            Err(AuthFailure::Skew(m)) => {
                assert!(m.starts_with("Signature not yet current: "), "{name}: {m}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    let raw = Raw::parse(BOTOCORE.iter().find(|(n, _)| *n == "route53_rrsets").unwrap().1);
    let now = secs(BOTOCORE_TIME) + 20 * 60;
    assert_eq!(
        raw.verify(BOTOCORE_SECRET, now),
        Err(AuthFailure::Skew(
            "Signature expired: 20240501T120000Z is now earlier than 20240501T120500Z (20240501T122000Z - 15 min.)".into()
        ))
    );
}

#[test]
fn presigned_urls_expire() {
    let raw = Raw::parse(BOTOCORE.iter().find(|(n, _)| *n == "ec2_presigned").unwrap().1);
    let signed = secs(BOTOCORE_TIME);
    // Valid for its X-Amz-Expires (600 s), however far beyond 15 minutes that may be.
    assert!(raw.verify(BOTOCORE_SECRET, signed + 599).is_ok());
    assert_eq!(raw.verify(BOTOCORE_SECRET, signed + 601), Err(AuthFailure::Expired));
    assert!(matches!(raw.verify(BOTOCORE_SECRET, signed - 16 * 60), Err(AuthFailure::Skew(_))));
}

#[test]
fn a_url_presigned_for_post_is_accepted_with_get_or_post_only() {
    // botocore presigns DescribeVpcs for POST; fetched with GET (curl) or POST it verifies.
    let now = secs(BOTOCORE_TIME);
    let mut raw = Raw::parse(BOTOCORE.iter().find(|(n, _)| *n == "ec2_presigned").unwrap().1);
    for method in ["GET", "POST"] {
        raw.method = method.into();
        assert!(raw.verify(BOTOCORE_SECRET, now).is_ok(), "{method}");
    }
    raw.method = "DELETE".into();
    assert!(matches!(raw.verify(BOTOCORE_SECRET, now), Err(AuthFailure::Mismatch(_))));
    // One presigned for GET is not accepted as a POST, nor a header-signed POST as a GET.
    let mut get =
        Raw::parse(BOTOCORE.iter().find(|(n, _)| *n == "ec2_presigned_for_get").unwrap().1);
    get.method = "POST".into();
    assert!(matches!(get.verify(BOTOCORE_SECRET, now), Err(AuthFailure::Mismatch(_))));
    let mut post = Raw::parse(BOTOCORE[0].1);
    post.method = "GET".into();
    assert!(matches!(post.verify(BOTOCORE_SECRET, now), Err(AuthFailure::Mismatch(_))));
}

#[test]
fn tampering_is_detected_but_unsigned_headers_do_not_matter() {
    let raw = Raw::parse(BOTOCORE[0].1);
    let now = secs(BOTOCORE_TIME);
    let mut body = Raw::parse(BOTOCORE[0].1);
    body.body = b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.9.0.0%2F16".to_vec();
    assert!(matches!(body.verify(BOTOCORE_SECRET, now), Err(AuthFailure::Mismatch(_))));
    let mut host = Raw::parse(BOTOCORE[0].1);
    host.headers
        .iter_mut()
        .filter(|(n, _)| n == "host")
        .for_each(|(_, v)| *v = "evil.example".into());
    assert!(matches!(host.verify(BOTOCORE_SECRET, now), Err(AuthFailure::Mismatch(_))));
    let mut agent = Raw::parse(BOTOCORE[0].1);
    agent.headers.retain(|(n, _)| n != "user-agent" && n != "content-length");
    assert!(agent.verify(BOTOCORE_SECRET, now).is_ok());
    let mut claimed = Raw::parse(BOTOCORE[0].1);
    claimed.headers.push(("x-amz-content-sha256".into(), "UNSIGNED-PAYLOAD".into()));
    assert!(matches!(claimed.verify(BOTOCORE_SECRET, now), Err(AuthFailure::Mismatch(_))));
    assert!(raw.verify(BOTOCORE_SECRET, now).is_ok());
}

#[test]
fn the_signer_signs_as_botocore_does() {
    let raw = Raw::parse(BOTOCORE[0].1);
    let signed: Vec<(&str, &str)> = raw
        .headers
        .iter()
        .filter(|(n, _)| matches!(n.as_str(), "host" | "content-type" | "x-amz-date"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let req =
        HttpRequest { method: "POST", path: "/", query: "", headers: &signed, body: &raw.body };
    let signer = Signer {
        access_key_id: "AKIDVPCLAB",
        secret: BOTOCORE_SECRET,
        region: "eu-west-1",
        service: "ec2",
    };
    let botocore = raw.headers.iter().find(|(n, _)| n == "authorization").unwrap();
    assert_eq!(signer.authorization(&req, BOTOCORE_TIME), botocore.1);
}

#[test]
fn signatures_are_read_strictly() {
    let read_text = |text: &str| Raw::parse(text).with(read);
    assert_eq!(read_text("GET / HTTP/1.1\nhost:h\n\n"), Err(AuthFailure::Missing));
    let no_date = "GET / HTTP/1.1\nhost:h\nauthorization:AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n";
    assert!(
        matches!(read_text(no_date), Err(AuthFailure::Incomplete(m)) if m.contains("'X-Amz-Date'"))
    );
    let http_date = no_date.replace("\n\n", "\ndate:Sun, 30 Aug 2015 12:36:00 GMT\n\n");
    assert_eq!(read_text(&http_date).unwrap().amz_date, SUITE_TIME);
    let no_host = no_date
        .replace("SignedHeaders=host", "SignedHeaders=x-amz-date")
        .replace("\n\n", "\nx-amz-date:20150830T123600Z\n\n");
    assert!(matches!(read_text(&no_host), Err(AuthFailure::Incomplete(m)) if m.contains("'Host'")));
    let half =
        "GET /?X-Amz-Credential=A%2F20150830%2Fus-east-1%2Fec2%2Faws4_request HTTP/1.1\nhost:h\n\n";
    assert!(
        matches!(read_text(half), Err(AuthFailure::Incomplete(m)) if m.contains("'X-Amz-Algorithm'"))
    );
    let both = "GET /?X-Amz-Signature=00 HTTP/1.1\nhost:h\nauthorization:x\n\n";
    assert!(
        matches!(read_text(both), Err(AuthFailure::Incomplete(m)) if m.starts_with("Only one auth mechanism"))
    );
    let wrong_day = Raw::parse(&no_date.replace("\n\n", "\nx-amz-date:20150831T000000Z\n\n"));
    let e = wrong_day.verify("s", secs("20150831T000000Z")).unwrap_err();
    assert!(matches!(e, AuthFailure::Mismatch(m) if m.contains("'20150830' != '20150831'")));
}

#[test]
fn every_service_says_it_in_its_own_words() {
    let query = ErrorFormat::Query { xmlns: "x" };
    let cases = [
        (AuthFailure::Missing, ErrorFormat::Ec2, "MissingParameter", 400),
        (AuthFailure::Missing, query, "MissingAuthenticationToken", 403),
        (AuthFailure::Missing, ErrorFormat::Json, "MissingAuthenticationTokenException", 400),
        (AuthFailure::UnknownKey, ErrorFormat::Ec2, "AuthFailure", 401),
        (AuthFailure::UnknownKey, query, "InvalidClientTokenId", 403),
        (AuthFailure::UnknownKey, ErrorFormat::Json, "UnrecognizedClientException", 400),
        (AuthFailure::Mismatch("m".into()), ErrorFormat::Ec2, "AuthFailure", 401),
        (AuthFailure::Mismatch("m".into()), query, "SignatureDoesNotMatch", 403),
        (AuthFailure::Mismatch("m".into()), ErrorFormat::Json, "InvalidSignatureException", 400),
        (AuthFailure::Skew("m".into()), ErrorFormat::Ec2, "RequestExpired", 400),
        (AuthFailure::Skew("m".into()), query, "SignatureDoesNotMatch", 403),
        (AuthFailure::Skew("m".into()), ErrorFormat::Json, "InvalidSignatureException", 400),
        (AuthFailure::Expired, ErrorFormat::Json, "RequestExpired", 400),
        (AuthFailure::Incomplete("m".into()), ErrorFormat::Ec2, "IncompleteSignature", 400),
        (
            AuthFailure::Incomplete("m".into()),
            ErrorFormat::Json,
            "IncompleteSignatureException",
            400,
        ),
    ];
    for (failure, format, code, status) in cases {
        let e = failure.to_api_error(format);
        assert_eq!((e.code.as_str(), e.status), (code, status), "{failure:?} {format:?}");
    }
    assert_eq!(
        AuthFailure::Missing.to_api_error(ErrorFormat::Ec2).message,
        "The request must contain the parameter AWSAccessKeyId"
    );
}

//! Customer-managed prefix lists through the API: lifecycle, versions, references.

use crate::{all, call, first, memory_api};
use api::Api;

fn create(api: &Api, name: &str, max: &str, extra: &[(&str, &str)]) -> api::Reply {
    let mut pairs = vec![
        ("Action", "CreateManagedPrefixList"),
        ("PrefixListName", name),
        ("MaxEntries", max),
        ("AddressFamily", "IPv4"),
    ];
    pairs.extend_from_slice(extra);
    call(api, &pairs)
}

fn code(r: &api::Reply) -> Option<&str> {
    first(&r.body, "Code")
}

#[test]
fn lifecycle_versions_and_errors() {
    let api = memory_api();
    let r = create(
        &api,
        "corp",
        "5",
        &[
            ("Entry.1.Cidr", "10.1.0.0/16"),
            ("Entry.1.Description", "office"),
            ("TagSpecification.1.ResourceType", "prefix-list"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", "corp"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let id = first(&r.body, "prefixListId").unwrap().to_owned();
    assert!(id.starts_with("pl-"));
    assert_eq!(first(&r.body, "state"), Some("create-complete"));
    assert_eq!(first(&r.body, "version"), Some("1"));
    assert_eq!(first(&r.body, "maxEntries"), Some("5"));
    assert_eq!(first(&r.body, "ownerId"), Some(api::DEFAULT_ACCOUNT));
    assert_eq!(
        first(&r.body, "prefixListArn").map(str::to_owned),
        Some(format!("arn:aws:ec2:us-east-1:{}:prefix-list/{id}", api::DEFAULT_ACCOUNT))
    );

    let m = call(
        &api,
        &[
            ("Action", "ModifyManagedPrefixList"),
            ("PrefixListId", &id),
            ("CurrentVersion", "1"),
            ("AddEntry.1.Cidr", "10.2.0.0/16"),
        ],
    );
    assert_eq!(m.status, 200, "{}", m.body);
    assert_eq!(
        (first(&m.body, "state"), first(&m.body, "version")),
        (Some("modify-complete"), Some("2"))
    );
    let stale = call(
        &api,
        &[
            ("Action", "ModifyManagedPrefixList"),
            ("PrefixListId", &id),
            ("CurrentVersion", "1"),
            ("RemoveEntry.1.Cidr", "10.2.0.0/16"),
        ],
    );
    assert_eq!(code(&stale), Some("PrefixListVersionMismatch"));

    let e = call(&api, &[("Action", "GetManagedPrefixListEntries"), ("PrefixListId", &id)]);
    assert_eq!(all(&e.body, "cidr"), ["10.1.0.0/16", "10.2.0.0/16"]);
    assert_eq!(first(&e.body, "description"), Some("office"));
    let e = call(
        &api,
        &[("Action", "GetManagedPrefixListEntries"), ("PrefixListId", &id), ("TargetVersion", "1")],
    );
    assert_eq!(all(&e.body, "cidr"), ["10.1.0.0/16"]);

    let back = call(
        &api,
        &[
            ("Action", "RestoreManagedPrefixListVersion"),
            ("PrefixListId", &id),
            ("PreviousVersion", "1"),
            ("CurrentVersion", "2"),
        ],
    );
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(
        (first(&back.body, "state"), first(&back.body, "version")),
        (Some("restore-complete"), Some("3"))
    );

    // Describe shows the customer list beside the AWS lists; DescribePrefixLists does not.
    let d = call(&api, &[("Action", "DescribeManagedPrefixLists")]);
    assert!(all(&d.body, "prefixListId").contains(&id.as_str()));
    assert_eq!(all(&d.body, "prefixListId").len(), 4);
    let d = call(
        &api,
        &[
            ("Action", "DescribeManagedPrefixLists"),
            ("Filter.1.Name", "owner-id"),
            ("Filter.1.Value.1", api::DEFAULT_ACCOUNT),
        ],
    );
    assert_eq!(all(&d.body, "prefixListId"), [id.as_str()]);
    assert!(d.body.contains("<tagSet><item><key>Name</key><value>corp</value></item></tagSet>"));
    let d = call(
        &api,
        &[
            ("Action", "DescribeManagedPrefixLists"),
            ("Filter.1.Name", "tag:Name"),
            ("Filter.1.Value.1", "corp"),
        ],
    );
    assert_eq!(all(&d.body, "prefixListId"), [id.as_str()]);
    let p = call(&api, &[("Action", "DescribePrefixLists")]);
    assert!(!p.body.contains(&id));

    assert_eq!(code(&create(&api, "x", "0", &[])), Some("InvalidParameterValue"));
    assert_eq!(code(&create(&api, "com.amazonaws.x", "5", &[])), Some("InvalidParameterValue"));
    let both = call(
        &api,
        &[
            ("Action", "ModifyManagedPrefixList"),
            ("PrefixListId", &id),
            ("MaxEntries", "9"),
            ("AddEntry.1.Cidr", "10.9.0.0/16"),
        ],
    );
    assert_eq!(code(&both), Some("InvalidParameterCombination"));

    let del = call(&api, &[("Action", "DeleteManagedPrefixList"), ("PrefixListId", &id)]);
    assert_eq!(del.status, 200, "{}", del.body);
    assert_eq!(first(&del.body, "state"), Some("delete-complete"));
    let gone = call(&api, &[("Action", "DescribeManagedPrefixLists"), ("PrefixListId.1", &id)]);
    assert_eq!(code(&gone), Some("InvalidPrefixListID.NotFound"));
}

#[test]
fn routes_and_rules_reference_customer_lists() {
    let api = memory_api();
    let id = first(
        &create(&api, "corp", "20", &[("Entry.1.Cidr", "198.51.100.0/24")]).body,
        "prefixListId",
    )
    .unwrap()
    .to_owned();
    let vpc = call(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc = first(&vpc.body, "vpcId").unwrap().to_owned();
    let rtb = call(&api, &[("Action", "CreateRouteTable"), ("VpcId", &vpc)]);
    let rtb = first(&rtb.body, "routeTableId").unwrap().to_owned();
    let igw = call(&api, &[("Action", "CreateInternetGateway")]);
    let igw = first(&igw.body, "internetGatewayId").unwrap().to_owned();
    call(
        &api,
        &[("Action", "AttachInternetGateway"), ("InternetGatewayId", &igw), ("VpcId", &vpc)],
    );
    let r = call(
        &api,
        &[
            ("Action", "CreateRoute"),
            ("RouteTableId", &rtb),
            ("DestinationPrefixListId", &id),
            ("GatewayId", &igw),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let sg = call(
        &api,
        &[
            ("Action", "CreateSecurityGroup"),
            ("GroupName", "web"),
            ("GroupDescription", "web"),
            ("VpcId", &vpc),
        ],
    );
    let sg = first(&sg.body, "groupId").unwrap().to_owned();
    let rule = |list: &str| {
        call(
            &api,
            &[
                ("Action", "AuthorizeSecurityGroupIngress"),
                ("GroupId", &sg),
                ("IpPermissions.1.IpProtocol", "tcp"),
                ("IpPermissions.1.FromPort", "443"),
                ("IpPermissions.1.ToPort", "443"),
                ("IpPermissions.1.PrefixListIds.1.PrefixListId", list),
            ],
        )
    };
    assert_eq!(rule(&id).status, 200);
    assert_eq!(code(&rule("pl-0123456789abcdef0")), Some("InvalidPrefixListID.NotFound"));

    let a = call(&api, &[("Action", "GetManagedPrefixListAssociations"), ("PrefixListId", &id)]);
    let mut expected = vec![rtb.as_str(), sg.as_str()];
    expected.sort();
    assert_eq!(all(&a.body, "resourceId"), expected);
    assert_eq!(first(&a.body, "resourceOwner"), Some(api::DEFAULT_ACCOUNT));

    // Referenced: deleting leaves the list delete-failed, naming the references.
    let del = call(&api, &[("Action", "DeleteManagedPrefixList"), ("PrefixListId", &id)]);
    assert_eq!(del.status, 200, "{}", del.body);
    assert_eq!(first(&del.body, "state"), Some("delete-failed"));
    assert!(first(&del.body, "stateMessage").unwrap().contains(&sg));
    let d = call(&api, &[("Action", "DescribeManagedPrefixLists"), ("PrefixListId.1", &id)]);
    assert_eq!(first(&d.body, "state"), Some("delete-failed"));

    // Growing past what the group can hold (60 rules) fails the same way.
    let grow = call(
        &api,
        &[("Action", "ModifyManagedPrefixList"), ("PrefixListId", &id), ("MaxEntries", "61")],
    );
    assert_eq!(grow.status, 200, "{}", grow.body);
    assert_eq!(
        (first(&grow.body, "state"), first(&grow.body, "maxEntries")),
        (Some("modify-failed"), Some("20"))
    );
    let grow = call(
        &api,
        &[("Action", "ModifyManagedPrefixList"), ("PrefixListId", &id), ("MaxEntries", "40")],
    );
    assert_eq!(
        (first(&grow.body, "state"), first(&grow.body, "maxEntries")),
        (Some("modify-complete"), Some("40"))
    );
    // A route to a 40-entry list counts as 40 of the table's 50 routes.
    let second = call(
        &api,
        &[
            ("Action", "CreateManagedPrefixList"),
            ("PrefixListName", "b"),
            ("MaxEntries", "11"),
            ("AddressFamily", "IPv4"),
        ],
    );
    let second = first(&second.body, "prefixListId").unwrap().to_owned();
    let r = call(
        &api,
        &[
            ("Action", "CreateRoute"),
            ("RouteTableId", &rtb),
            ("DestinationPrefixListId", &second),
            ("GatewayId", &igw),
        ],
    );
    assert_eq!(code(&r), Some("RouteLimitExceeded"));
}

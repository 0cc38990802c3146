"""Networks built with boto3 for the engine's end-to-end tests: one VPC with an internet
gateway, subnets with their own route tables, groups, hosts (Reachability Analyzer's and
Network Access Analyzer's tests build on these), and the seeds' three-tier application."""

from __future__ import annotations

from dataclasses import dataclass, field

from vpclab_helpers import AMI, INSTANCE_TYPE, dump, f, get_instance, wait_instances_state, wait_until


@dataclass
class Host:
    instance_id: str
    eni_id: str
    private_ip: str
    public_ip: str | None
    subnet_id: str
    sg_ids: list[str]


@dataclass
class Sub:
    subnet_id: str
    cidr: str
    route_table_id: str


@dataclass
class Lab:
    """One VPC with an attached internet gateway; subnets get their own explicit route table."""

    ec2: object
    vpc_id: str = ""
    cidr: str = "10.0.0.0/16"
    igw_id: str = ""
    subnets: dict[str, Sub] = field(default_factory=dict)

    @classmethod
    def create(cls, ec2, cidr: str = "10.0.0.0/16") -> "Lab":
        lab = cls(ec2, cidr=cidr)
        lab.vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        lab.igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=lab.igw_id, VpcId=lab.vpc_id)
        return lab

    def subnet(self, name: str, cidr: str, public: bool, az: str = "us-east-1a") -> Sub:
        sid = self.ec2.create_subnet(VpcId=self.vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        rt = self.ec2.create_route_table(VpcId=self.vpc_id)["RouteTable"]["RouteTableId"]
        if public:
            self.ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=self.igw_id)
        self.ec2.associate_route_table(RouteTableId=rt, SubnetId=sid)
        self.subnets[name] = Sub(sid, cidr, rt)
        return self.subnets[name]

    def sg(self, name: str, *ingress: dict, egress_all: bool = True) -> str:
        gid = self.ec2.create_security_group(GroupName=name, Description=name, VpcId=self.vpc_id)["GroupId"]
        if ingress:
            self.ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=list(ingress))
        if not egress_all:
            self.ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[
                {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        return gid

    def host(self, sub: Sub, sg_ids: list[str], public: bool = False) -> Host:
        resp = self.ec2.run_instances(
            ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1,
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": sub.subnet_id, "Groups": sg_ids,
                                "AssociatePublicIpAddress": public}])
        iid = resp["Instances"][0]["InstanceId"]
        wait_instances_state(self.ec2, [iid], "running")
        inst = get_instance(self.ec2, iid)
        if public:
            assert inst.get("PublicIpAddress"), dump(inst)
        return Host(iid, inst["NetworkInterfaces"][0]["NetworkInterfaceId"], inst["PrivateIpAddress"],
                    inst.get("PublicIpAddress"), sub.subnet_id, sg_ids)

    def custom_acl(self, sub: Sub, entries: list[dict]) -> str:
        """A new network ACL with these entries, associated with the subnet (replacing the default)."""
        acl = self.ec2.create_network_acl(VpcId=self.vpc_id)["NetworkAcl"]["NetworkAclId"]
        for e in entries:
            self.ec2.create_network_acl_entry(NetworkAclId=acl, **e)
        associate_acl(self.ec2, sub.subnet_id, acl)
        return acl


def associate_acl(ec2, subnet_id: str, acl_id: str) -> None:
    acls = ec2.describe_network_acls(Filters=[f("association.subnet-id", subnet_id)])["NetworkAcls"]
    [assoc] = [a for a in acls[0]["Associations"] if a["SubnetId"] == subnet_id]
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl_id)


def tcp(port: int, cidr: str | None = None, group: str | None = None, to: int | None = None,
        proto: str = "tcp") -> dict:
    perm = {"IpProtocol": proto, "FromPort": port, "ToPort": port if to is None else to}
    if cidr:
        perm["IpRanges"] = [{"CidrIp": cidr}]
    if group:
        perm["UserIdGroupPairs"] = [{"GroupId": group}]
    return perm


def acl_entry(number: int, action: str, egress: bool, cidr: str = "0.0.0.0/0", proto: str = "6",
              ports: tuple[int, int] | None = None) -> dict:
    e = {"RuleNumber": number, "RuleAction": action, "Egress": egress, "CidrBlock": cidr, "Protocol": proto}
    if ports:
        e["PortRange"] = {"From": ports[0], "To": ports[1]}
    return e


def three_tier(ec2):
    lab = Lab.create(ec2)
    web_sub = lab.subnet("web", "10.0.0.0/24", public=True)
    app_sub = lab.subnet("app", "10.0.10.0/24", public=False)
    db_sub = lab.subnet("db", "10.0.20.0/24", public=False)
    web_sg = lab.sg("web", tcp(443, "0.0.0.0/0"), tcp(80, "0.0.0.0/0"))
    app_sg = lab.sg("app", tcp(8080, group=web_sg))
    db_sg = lab.sg("db", tcp(3306, group=app_sg))
    web = lab.host(web_sub, [web_sg], public=True)
    app = lab.host(app_sub, [app_sg])
    db = lab.host(db_sub, [db_sg])
    return lab, web, app, db


# Reachability Analyzer's answer to one question.


def create_path(ec2, source: str, destination: str | None = None, port: int | None = None,
                protocol: str = "tcp", **extra) -> dict:
    kw = dict(Source=source, Protocol=protocol, **extra)
    if destination is not None:
        kw["Destination"] = destination
    if port is not None:
        kw["DestinationPort"] = port
    return ec2.create_network_insights_path(**kw)["NetworkInsightsPath"]


def describe_analysis(ec2, analysis_id: str) -> dict:
    [a] = ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[analysis_id])["NetworkInsightsAnalyses"]
    return a


def run_analysis(ec2, path_id: str, **kw) -> dict:
    started = ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id, **kw)["NetworkInsightsAnalysis"]
    nia = started["NetworkInsightsAnalysisId"]
    a = wait_until(lambda: (lambda a: a if a["Status"] != "running" else None)(describe_analysis(ec2, nia)),
                   timeout=10, desc=f"analysis {nia} to finish")
    assert a["Status"] == "succeeded", dump(a)  # a blocked path is still a succeeded analysis [C]
    return a


def analyze(ec2, source: str, destination: str | None = None, port: int | None = None,
            protocol: str = "tcp", **extra) -> dict:
    path = create_path(ec2, source, destination, port, protocol, **extra)
    return run_analysis(ec2, path["NetworkInsightsPathId"])

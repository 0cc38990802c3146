# Hub and spoke: two VPCs on a transit gateway with its own route table (association and
# propagation), a static TGW route and a blackhole, and VPC routes to the gateway; applied by
# test_transit_gateway.py.


# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).


resource "aws_ec2_transit_gateway" "hub" {
  description                     = "hub"
  amazon_side_asn                 = 64600
  default_route_table_association = "disable"
  default_route_table_propagation = "disable"
  tags                            = { Name = "hub" }
}

resource "aws_vpc" "spoke" {
  count      = 2
  cidr_block = "10.${count.index + 1}.0.0/16"
}

resource "aws_subnet" "spoke" {
  count             = 2
  vpc_id            = aws_vpc.spoke[count.index].id
  cidr_block        = "10.${count.index + 1}.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_ec2_transit_gateway_vpc_attachment" "spoke" {
  count                                           = 2
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = aws_vpc.spoke[count.index].id
  subnet_ids                                      = [aws_subnet.spoke[count.index].id]
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  tags                                            = { Name = "spoke-${count.index}" }
}

resource "aws_ec2_transit_gateway_route_table" "spokes" {
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  tags               = { Name = "spokes" }
}

resource "aws_ec2_transit_gateway_route_table_association" "spoke" {
  count                          = 2
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.spoke[count.index].id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.spokes.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "spoke" {
  count                          = 2
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.spoke[count.index].id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.spokes.id
}

resource "aws_ec2_transit_gateway_route" "to_spoke0" {
  destination_cidr_block         = "172.16.0.0/12"
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.spoke[0].id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.spokes.id
}

resource "aws_ec2_transit_gateway_route" "drop" {
  destination_cidr_block         = "10.2.99.0/24"
  blackhole                      = true
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.spokes.id
}

resource "aws_route_table" "spoke" {
  count  = 2
  vpc_id = aws_vpc.spoke[count.index].id
}

resource "aws_route_table_association" "spoke" {
  count          = 2
  subnet_id      = aws_subnet.spoke[count.index].id
  route_table_id = aws_route_table.spoke[count.index].id
}

resource "aws_route" "to_hub" {
  count                  = 2
  route_table_id         = aws_route_table.spoke[count.index].id
  destination_cidr_block = "10.0.0.0/8"
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.spoke]
}

output "tgw_id" {
  value = aws_ec2_transit_gateway.hub.id
}

output "rtb_id" {
  value = aws_ec2_transit_gateway_route_table.spokes.id
}

output "attachment_ids" {
  value = aws_ec2_transit_gateway_vpc_attachment.spoke[*].id
}

output "vpc_rtb_ids" {
  value = aws_route_table.spoke[*].id
}

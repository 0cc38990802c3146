# The seeds' hub and spoke: three VPCs on a transit gateway (default route table association and
# propagation), each spoke routing 10.0.0.0/8 to the gateway; with isolate_spoke_3 the third
# spoke is moved to a custom TGW route table with no routes. Applied by
# test_scenarios_connecting.py.
# (The hub's VPN attachment is asked through boto3 in test_hub_and_spoke_boto3.)

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).

variable "isolate_spoke_3" {
  type    = bool
  default = false
}

resource "aws_ec2_transit_gateway" "hub" {
  description = "hub"
  tags        = { Name = "hub" }
}

resource "aws_vpc" "spoke" {
  count      = 3
  cidr_block = "10.${count.index + 1}.0.0/16"
  tags       = { Name = "spoke-${count.index + 1}" }
}

resource "aws_subnet" "spoke" {
  count             = 3
  vpc_id            = aws_vpc.spoke[count.index].id
  cidr_block        = "10.${count.index + 1}.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_security_group" "spoke" {
  count       = 3
  name        = "from-the-spokes"
  description = "everything from 10.0.0.0/8"
  vpc_id      = aws_vpc.spoke[count.index].id

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/8"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_network_interface" "host" {
  count           = 3
  subnet_id       = aws_subnet.spoke[count.index].id
  security_groups = [aws_security_group.spoke[count.index].id]
}

resource "aws_ec2_transit_gateway_vpc_attachment" "spoke" {
  count              = 3
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  vpc_id             = aws_vpc.spoke[count.index].id
  subnet_ids         = [aws_subnet.spoke[count.index].id]
  # Spoke 3 leaves the default table when it is isolated.
  transit_gateway_default_route_table_association = !(var.isolate_spoke_3 && count.index == 2)
  tags                                            = { Name = "spoke-${count.index + 1}" }
}

resource "aws_ec2_transit_gateway_route_table" "isolated" {
  count              = var.isolate_spoke_3 ? 1 : 0
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  tags               = { Name = "isolated" }
}

resource "aws_ec2_transit_gateway_route_table_association" "isolated" {
  count                          = var.isolate_spoke_3 ? 1 : 0
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.spoke[2].id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.isolated[0].id
}

resource "aws_route_table" "spoke" {
  count  = 3
  vpc_id = aws_vpc.spoke[count.index].id
}

resource "aws_route_table_association" "spoke" {
  count          = 3
  subnet_id      = aws_subnet.spoke[count.index].id
  route_table_id = aws_route_table.spoke[count.index].id
}

resource "aws_route" "to_hub" {
  count                  = 3
  route_table_id         = aws_route_table.spoke[count.index].id
  destination_cidr_block = "10.0.0.0/8"
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.spoke]
}

output "tgw_id" {
  value = aws_ec2_transit_gateway.hub.id
}

output "attachment_ids" {
  value = aws_ec2_transit_gateway_vpc_attachment.spoke[*].id
}

output "eni_ids" {
  value = aws_network_interface.host[*].id
}

output "isolated_rtb_id" {
  value = var.isolate_spoke_3 ? aws_ec2_transit_gateway_route_table.isolated[0].id : ""
}

output "default_rtb_id" {
  value = aws_ec2_transit_gateway.hub.association_default_route_table_id
}

# Private subnets whose only way out is a NAT gateway per AZ (two AZs), applied by
# test_scenarios_connecting.py.

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).

locals {
  zones = ["us-east-1a", "us-east-1b"]
}

resource "aws_vpc" "main" {
  cidr_block = "10.30.0.0/16"
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.30.${count.index}.0/24"
  availability_zone = local.zones[count.index]
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.30.${10 + count.index}.0/24"
  availability_zone = local.zones[count.index]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
}

resource "aws_route_table_association" "public" {
  count          = 2
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  count  = 2
  domain = "vpc"
}

resource "aws_nat_gateway" "zone" {
  count         = 2
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = { Name = "nat-${local.zones[count.index]}" }
  depends_on    = [aws_internet_gateway.gw]
}

resource "aws_route_table" "private" {
  count  = 2
  vpc_id = aws_vpc.main.id
}

resource "aws_route" "private_default" {
  count                  = 2
  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.zone[count.index].id
}

resource "aws_route_table_association" "private" {
  count          = 2
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

resource "aws_network_interface" "app" {
  count     = 2
  subnet_id = aws_subnet.private[count.index].id
}

output "igw_id" {
  value = aws_internet_gateway.gw.id
}

output "nat_ids" {
  value = aws_nat_gateway.zone[*].id
}

output "private_rtb_ids" {
  value = aws_route_table.private[*].id
}

output "eni_ids" {
  value = aws_network_interface.app[*].id
}

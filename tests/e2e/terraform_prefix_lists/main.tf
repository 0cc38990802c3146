# Customer-managed prefix lists with the real hashicorp/aws provider, applied by test_prefix_lists.py.
# One list with inline entries referenced by a route and a rule; one list fed by a standalone entry.

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).


resource "aws_ec2_managed_prefix_list" "corp" {
  name           = "corp"
  address_family = "IPv4"
  max_entries    = 10

  entry {
    cidr        = "10.1.0.0/16"
    description = "office"
  }

  entry {
    cidr        = "198.51.100.0/24"
    description = "vpn"
  }

  tags = {
    Name = "corp"
  }
}

resource "aws_ec2_managed_prefix_list" "extra" {
  name           = "extra"
  address_family = "IPv4"
  max_entries    = 5
}

resource "aws_ec2_managed_prefix_list_entry" "extra" {
  prefix_list_id = aws_ec2_managed_prefix_list.extra.id
  cidr           = "192.0.2.0/24"
  description    = "partner"
}

resource "aws_vpc" "main" {
  cidr_block = "10.30.0.0/16"
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table" "corp" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route" "corp" {
  route_table_id             = aws_route_table.corp.id
  destination_prefix_list_id = aws_ec2_managed_prefix_list.corp.id
  gateway_id                 = aws_internet_gateway.gw.id
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "HTTPS from corp"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group_rule" "https_from_corp" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_ids   = [aws_ec2_managed_prefix_list.corp.id]
}

output "corp_id" {
  value = aws_ec2_managed_prefix_list.corp.id
}

output "corp_arn" {
  value = aws_ec2_managed_prefix_list.corp.arn
}

output "extra_id" {
  value = aws_ec2_managed_prefix_list.extra.id
}

output "route_table_id" {
  value = aws_route_table.corp.id
}

output "sg_id" {
  value = aws_security_group.web.id
}

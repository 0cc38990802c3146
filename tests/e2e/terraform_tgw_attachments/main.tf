# Transit gateway attachments other than VPCs: a peering between gateways of two regions and
# two accounts (requested in us-east-1, accepted in us-west-2) with a static route over it, and
# a VPN connection ending on a transit gateway; applied by test_transit_gateway_attachments.py.

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).

provider "aws" {
  alias                       = "west"
  region                      = "us-west-2"
  access_key                  = "210987654321"
  secret_key                  = "test"
  skip_credentials_validation = false
  skip_requesting_account_id  = false
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 2

  endpoints {
    ec2 = var.endpoint
    sts = var.endpoint
  }
}

data "aws_caller_identity" "west" {
  provider = aws.west
}

resource "aws_ec2_transit_gateway" "east" {
  description = "east"
}

resource "aws_ec2_transit_gateway" "west" {
  provider    = aws.west
  description = "west"
}

resource "aws_ec2_transit_gateway_peering_attachment" "east_west" {
  transit_gateway_id      = aws_ec2_transit_gateway.east.id
  peer_transit_gateway_id = aws_ec2_transit_gateway.west.id
  peer_account_id         = data.aws_caller_identity.west.account_id
  peer_region             = "us-west-2"
  tags = {
    Name = "east-west"
  }
}

resource "aws_ec2_transit_gateway_peering_attachment_accepter" "west" {
  provider                      = aws.west
  transit_gateway_attachment_id = aws_ec2_transit_gateway_peering_attachment.east_west.id
  tags = {
    Side = "accepter"
  }
}

resource "aws_ec2_transit_gateway_route" "to_west" {
  destination_cidr_block         = "10.50.0.0/16"
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_peering_attachment.east_west.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway.east.association_default_route_table_id
  depends_on                     = [aws_ec2_transit_gateway_peering_attachment_accepter.west]
}

resource "aws_customer_gateway" "office" {
  bgp_asn    = 65000
  ip_address = "198.51.100.30"
  type       = "ipsec.1"
}

resource "aws_vpn_connection" "office" {
  customer_gateway_id = aws_customer_gateway.office.id
  transit_gateway_id  = aws_ec2_transit_gateway.east.id
  type                = "ipsec.1"
  static_routes_only  = true
}

output "peering_id" {
  value = aws_ec2_transit_gateway_peering_attachment.east_west.id
}

output "vpn_attachment_id" {
  value = aws_vpn_connection.office.transit_gateway_attachment_id
}

output "east_rtb_id" {
  value = aws_ec2_transit_gateway.east.association_default_route_table_id
}

# A VPC with a virtual private gateway and a static-routed VPN connection to 192.168.0.0/16,
# propagated into a route table; applied by test_vpn.py.


# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).

resource "aws_vpc" "main" {
  cidr_block = "10.40.0.0/16"
}

resource "aws_vpn_gateway" "vgw" {
  tags = { Name = "vgw-lab" }
}

resource "aws_vpn_gateway_attachment" "vgw" {
  vpc_id         = aws_vpc.main.id
  vpn_gateway_id = aws_vpn_gateway.vgw.id
}

resource "aws_customer_gateway" "office" {
  bgp_asn    = 65000
  ip_address = "203.0.113.12"
  type       = "ipsec.1"
  tags       = { Name = "office" }
}

resource "aws_vpn_connection" "office" {
  vpn_gateway_id      = aws_vpn_gateway.vgw.id
  customer_gateway_id = aws_customer_gateway.office.id
  type                = "ipsec.1"
  static_routes_only  = true
  tunnel1_inside_cidr = "169.254.50.0/30"
  tags                = { Name = "office" }
}

resource "aws_vpn_connection_route" "office" {
  destination_cidr_block = "192.168.0.0/16"
  vpn_connection_id      = aws_vpn_connection.office.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}

resource "aws_vpn_gateway_route_propagation" "private" {
  vpn_gateway_id = aws_vpn_gateway.vgw.id
  route_table_id = aws_route_table.private.id
  depends_on     = [aws_vpn_gateway_attachment.vgw]
}

output "vgw_id" {
  value = aws_vpn_gateway.vgw.id
}

output "vpn_id" {
  value = aws_vpn_connection.office.id
}

output "rtb_id" {
  value = aws_route_table.private.id
}

output "tunnel1_address" {
  value = aws_vpn_connection.office.tunnel1_address
}

output "tunnel1_cgw_inside_address" {
  value = aws_vpn_connection.office.tunnel1_cgw_inside_address
}

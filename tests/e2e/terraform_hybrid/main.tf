# Hybrid access and monitoring with the real hashicorp/aws provider, applied by
# test_scenarios_connecting.py: a Direct Connect gateway associated with a virtual private gateway,
# a Client VPN endpoint (certificate authentication, made-up ACM ARNs) with a target network
# association and an authorization rule, and traffic mirroring (filter + rule, target, session).

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).

# The provider waits a fixed 4 minutes after creating and after deleting a network association;
# the test makes it with boto3 and imports it unless VPCLAB_E2E_SLOW=1.
variable "client_vpn_association" {
  type    = bool
  default = true
}

locals {
  server_cert = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
  client_ca   = "arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000"
}

resource "aws_vpc" "main" {
  cidr_block = "10.40.0.0/16"
}

resource "aws_subnet" "app" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.40.1.0/24"
  availability_zone = "us-east-1a"
}

# ------------------------------------------------------------------ Direct Connect

resource "aws_vpn_gateway" "vgw" {
  vpc_id          = aws_vpc.main.id
  amazon_side_asn = 64620
}

resource "aws_dx_gateway" "dx" {
  name            = "corp-dx"
  amazon_side_asn = "64700"
}

resource "aws_dx_gateway_association" "vgw" {
  dx_gateway_id         = aws_dx_gateway.dx.id
  associated_gateway_id = aws_vpn_gateway.vgw.id
  allowed_prefixes      = ["10.40.0.0/16"]
}

# ------------------------------------------------------------------ Client VPN

resource "aws_ec2_client_vpn_endpoint" "vpn" {
  description            = "remote staff"
  server_certificate_arn = local.server_cert
  client_cidr_block      = "172.20.0.0/22"
  split_tunnel           = true

  authentication_options {
    type                       = "certificate-authentication"
    root_certificate_chain_arn = local.client_ca
  }

  connection_log_options {
    enabled = false
  }

  tags = { Name = "remote-staff" }
}

resource "aws_ec2_client_vpn_network_association" "app" {
  count                  = var.client_vpn_association ? 1 : 0
  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.vpn.id
  subnet_id              = aws_subnet.app.id
}

resource "aws_ec2_client_vpn_authorization_rule" "app" {
  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.vpn.id
  target_network_cidr    = aws_vpc.main.cidr_block
  authorize_all_groups   = true
  description            = "all staff to the VPC"
}

# ------------------------------------------------------------------ traffic mirroring

resource "aws_security_group" "web" {
  name        = "web"
  description = "https from anywhere"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_network_interface" "source" {
  subnet_id       = aws_subnet.app.id
  security_groups = [aws_security_group.web.id]
}

resource "aws_network_interface" "sensor" {
  subnet_id = aws_subnet.app.id
}

resource "aws_ec2_traffic_mirror_filter" "web" {
  description      = "inbound web"
  network_services = ["amazon-dns"]
}

resource "aws_ec2_traffic_mirror_filter_rule" "https_in" {
  description              = "https in"
  traffic_mirror_filter_id = aws_ec2_traffic_mirror_filter.web.id
  destination_cidr_block   = "10.40.0.0/16"
  source_cidr_block        = "0.0.0.0/0"
  rule_number              = 100
  rule_action              = "accept"
  traffic_direction        = "ingress"
  protocol                 = 6

  destination_port_range {
    from_port = 443
    to_port   = 443
  }
}

resource "aws_ec2_traffic_mirror_target" "sensor" {
  description          = "sensor"
  network_interface_id = aws_network_interface.sensor.id
}

resource "aws_ec2_traffic_mirror_session" "web" {
  description              = "mirror the web server"
  network_interface_id     = aws_network_interface.source.id
  traffic_mirror_filter_id = aws_ec2_traffic_mirror_filter.web.id
  traffic_mirror_target_id = aws_ec2_traffic_mirror_target.sensor.id
  session_number           = 1
  virtual_network_id       = 4242
  packet_length            = 128
}

output "vpc_id" {
  value = aws_vpc.main.id
}

output "vgw_id" {
  value = aws_vpn_gateway.vgw.id
}

output "dx_gateway_id" {
  value = aws_dx_gateway.dx.id
}

output "dx_association_id" {
  value = aws_dx_gateway_association.vgw.dx_gateway_association_id
}

output "client_vpn_endpoint_id" {
  value = aws_ec2_client_vpn_endpoint.vpn.id
}

output "client_vpn_association_ids" {
  value = aws_ec2_client_vpn_network_association.app[*].association_id
}

output "subnet_id" {
  value = aws_subnet.app.id
}

output "source_eni_id" {
  value = aws_network_interface.source.id
}

output "mirror_session_id" {
  value = aws_ec2_traffic_mirror_session.web.id
}

output "mirror_filter_id" {
  value = aws_ec2_traffic_mirror_filter.web.id
}

output "mirror_target_id" {
  value = aws_ec2_traffic_mirror_target.sensor.id
}

# VPC peering with the real hashicorp/aws provider, applied by test_peering.py: a same-account
# connection accepted by the requester (auto_accept) with routes both ways and options, and a
# cross-account one accepted by the other account's provider (aws_vpc_peering_connection_accepter).

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).

# The other account: an access key of 12 digits selects it.
provider "aws" {
  alias                       = "peer"
  region                      = "us-east-1"
  access_key                  = "111122223333"
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

resource "aws_vpc" "a" {
  cidr_block           = "10.10.0.0/16"
  enable_dns_hostnames = true
}

resource "aws_vpc" "b" {
  cidr_block           = "10.11.0.0/16"
  enable_dns_hostnames = true
}

resource "aws_vpc_peering_connection" "ab" {
  vpc_id      = aws_vpc.a.id
  peer_vpc_id = aws_vpc.b.id
  auto_accept = true

  requester {
    allow_remote_vpc_dns_resolution = true
  }

  tags = {
    Name = "a-to-b"
  }
}

resource "aws_route" "a_to_b" {
  route_table_id            = aws_vpc.a.main_route_table_id
  destination_cidr_block    = aws_vpc.b.cidr_block
  vpc_peering_connection_id = aws_vpc_peering_connection.ab.id
}

resource "aws_route" "b_to_a" {
  route_table_id            = aws_vpc.b.main_route_table_id
  destination_cidr_block    = aws_vpc.a.cidr_block
  vpc_peering_connection_id = aws_vpc_peering_connection.ab.id
}

resource "aws_vpc" "other" {
  provider   = aws.peer
  cidr_block = "10.12.0.0/16"
}

resource "aws_vpc_peering_connection" "cross" {
  vpc_id        = aws_vpc.a.id
  peer_vpc_id   = aws_vpc.other.id
  peer_owner_id = "111122223333"
}

resource "aws_vpc_peering_connection_accepter" "cross" {
  provider                  = aws.peer
  vpc_peering_connection_id = aws_vpc_peering_connection.cross.id
  auto_accept               = true

  tags = {
    Side = "accepter"
  }
}

output "ab_id" {
  value = aws_vpc_peering_connection.ab.id
}

output "ab_status" {
  value = aws_vpc_peering_connection.ab.accept_status
}

output "cross_id" {
  value = aws_vpc_peering_connection.cross.id
}

output "cross_status" {
  value = aws_vpc_peering_connection_accepter.cross.accept_status
}

output "route_table_a" {
  value = aws_vpc.a.main_route_table_id
}

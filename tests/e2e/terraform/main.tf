# A realistic three-tier VPC, applied by test_terraform.py against vpclab.
#
#   terraform apply -var endpoint=http://127.0.0.1:PORT
#
# The hashicorp/aws provider is installed from a local filesystem mirror (see
# test_terraform.py); nothing here talks to real AWS.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
  }
}

variable "endpoint" {
  description = "vpclab base URL, e.g. http://127.0.0.1:4566"
  type        = string
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "name" {
  type    = string
  default = "vpclab-e2e"
}

provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  # Credentials are validated and the account id is learned through vpclab's STS
  # GetCallerIdentity, as against AWS; the provider needs the account id to tell its own
  # security groups from other accounts' in rule references.
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

locals {
  azs = ["${var.region}a", "${var.region}b"]
  subnets = {
    public = ["10.0.0.0/24", "10.0.1.0/24"]
    app    = ["10.0.10.0/24", "10.0.11.0/24"]
    db     = ["10.0.20.0/24", "10.0.21.0/24"]
  }
}

# --------------------------------------------------------------------------- network

resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.name }
}

resource "aws_subnet" "public" {
  count                   = 2
  vpc_id                  = aws_vpc.main.id
  cidr_block              = local.subnets.public[count.index]
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = true

  tags = { Name = "${var.name}-public-${count.index}", Tier = "public" }
}

resource "aws_subnet" "app" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = local.subnets.app[count.index]
  availability_zone = local.azs[count.index]

  tags = { Name = "${var.name}-app-${count.index}", Tier = "app" }
}

resource "aws_subnet" "db" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = local.subnets.db[count.index]
  availability_zone = local.azs[count.index]

  tags = { Name = "${var.name}-db-${count.index}", Tier = "db" }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
  tags   = { Name = var.name }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }

  tags = { Name = "${var.name}-public" }
}

resource "aws_route_table_association" "public" {
  count          = 2
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  tags   = { Name = "${var.name}-private" }
}

resource "aws_route_table_association" "app" {
  count          = 2
  subnet_id      = aws_subnet.app[count.index].id
  route_table_id = aws_route_table.private.id
}

resource "aws_route_table_association" "db" {
  count          = 2
  subnet_id      = aws_subnet.db[count.index].id
  route_table_id = aws_route_table.private.id
}

# --------------------------------------------------------------------------- security groups
# web and app use inline rules; db's ingress is managed by standalone
# aws_vpc_security_group_ingress_rule resources (never both styles on one group).

resource "aws_security_group" "web" {
  name        = "${var.name}-web"
  description = "web tier"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "https"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "http"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = { Name = "${var.name}-web" }
}

resource "aws_security_group" "app" {
  name        = "${var.name}-app"
  description = "app tier"
  vpc_id      = aws_vpc.main.id

  ingress {
    description     = "from web"
    from_port       = 8080
    to_port         = 8080
    protocol        = "tcp"
    security_groups = [aws_security_group.web.id]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = { Name = "${var.name}-app" }
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db"
  description = "db tier"
  vpc_id      = aws_vpc.main.id

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/16"]
  }

  tags = { Name = "${var.name}-db" }
}

resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  description                  = "postgres from app"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "db_admin" {
  security_group_id = aws_security_group.db.id
  description       = "admin from the app subnets"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "10.0.10.0/23"
}

# --------------------------------------------------------------------------- network ACL for the db subnets

resource "aws_network_acl" "db" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = aws_subnet.db[*].id

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.10.0/23"
    from_port  = 5432
    to_port    = 5432
  }

  ingress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.10.0/23"
    from_port  = 22
    to_port    = 22
  }

  # return traffic for connections the db hosts open (ephemeral ports)
  ingress {
    rule_no    = 120
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 1024
    to_port    = 65535
  }

  ingress {
    rule_no    = 200
    action     = "deny"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }

  # replies to the app tier go to its ephemeral ports
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.10.0/23"
    from_port  = 1024
    to_port    = 65535
  }

  egress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  }

  tags = { Name = "${var.name}-db" }
}

# --------------------------------------------------------------------------- compute

resource "aws_instance" "web" {
  ami                    = "ami-0abcdef1234567890"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public[0].id
  vpc_security_group_ids = [aws_security_group.web.id]

  tags = { Name = "${var.name}-web" }
}

resource "aws_eip" "web" {
  domain     = "vpc"
  instance   = aws_instance.web.id
  depends_on = [aws_internet_gateway.main]

  tags = { Name = "${var.name}-web" }
}

resource "aws_network_interface" "app" {
  subnet_id       = aws_subnet.app[0].id
  private_ips     = ["10.0.10.50"]
  security_groups = [aws_security_group.app.id]
  description     = "app service ENI"

  tags = { Name = "${var.name}-app" }
}

# --------------------------------------------------------------------------- outputs

output "vpc_id" {
  value = aws_vpc.main.id
}

output "public_subnet_ids" {
  value = aws_subnet.public[*].id
}

output "app_subnet_ids" {
  value = aws_subnet.app[*].id
}

output "db_subnet_ids" {
  value = aws_subnet.db[*].id
}

output "igw_id" {
  value = aws_internet_gateway.main.id
}

output "public_route_table_id" {
  value = aws_route_table.public.id
}

output "private_route_table_id" {
  value = aws_route_table.private.id
}

output "web_sg_id" {
  value = aws_security_group.web.id
}

output "app_sg_id" {
  value = aws_security_group.app.id
}

output "db_sg_id" {
  value = aws_security_group.db.id
}

output "db_nacl_id" {
  value = aws_network_acl.db.id
}

output "instance_id" {
  value = aws_instance.web.id
}

output "instance_private_ip" {
  value = aws_instance.web.private_ip
}

output "eip_public_ip" {
  value = aws_eip.web.public_ip
}

output "eip_allocation_id" {
  value = aws_eip.web.allocation_id
}

output "eni_id" {
  value = aws_network_interface.app.id
}

output "eni_private_ip" {
  value = aws_network_interface.app.private_ip
}

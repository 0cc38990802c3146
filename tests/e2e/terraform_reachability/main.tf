# The bastion host pattern (seed 003), asked to Reachability Analyzer through Terraform.
# Applied by test_reachability.py::test_terraform_bastion_reachability against vpclab:
#
#   terraform apply -var endpoint=http://127.0.0.1:PORT
#
# SSH reaches the bastion from the internet; the private target admits SSH only from the
# bastion's security group, so a second public instance is refused (ENI_SG_RULES_MISMATCH).

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
  default = "vpclab-ra"
}

provider "aws" {
  region                      = var.region
  access_key                  = "test"
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

# --------------------------------------------------------------------------- network

resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"
  tags       = { Name = var.name }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
  tags   = { Name = var.name }
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.20.1.0/24"
  availability_zone       = "${var.region}a"
  map_public_ip_on_launch = true
  tags                    = { Name = "${var.name}-public" }
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.2.0/24"
  availability_zone = "${var.region}a"
  tags              = { Name = "${var.name}-private" }
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
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

# the private subnet keeps the main route table (local route only)

# --------------------------------------------------------------------------- security groups

resource "aws_security_group" "bastion" {
  name        = "${var.name}-bastion"
  description = "SSH from the internet"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "target" {
  name        = "${var.name}-target"
  description = "SSH only from the bastion group"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    security_groups = [aws_security_group.bastion.id]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "other" {
  name        = "${var.name}-other"
  description = "a public host that is not the bastion"
  vpc_id      = aws_vpc.main.id

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# --------------------------------------------------------------------------- instances

resource "aws_instance" "bastion" {
  ami                    = "ami-0abcdef1234567890"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.bastion.id]
  tags                   = { Name = "${var.name}-bastion" }
}

resource "aws_instance" "target" {
  ami                    = "ami-0abcdef1234567890"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.private.id
  vpc_security_group_ids = [aws_security_group.target.id]
  tags                   = { Name = "${var.name}-target" }
}

resource "aws_instance" "other" {
  ami                    = "ami-0abcdef1234567890"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.other.id]
  tags                   = { Name = "${var.name}-other" }
}

# --------------------------------------------------------------------------- Reachability Analyzer

resource "aws_ec2_network_insights_path" "internet_to_bastion" {
  source           = aws_internet_gateway.main.id
  destination      = aws_instance.bastion.id
  protocol         = "tcp"
  destination_port = 22
  tags             = { Name = "internet-to-bastion" }

  # the route to the IGW must exist before the question makes sense
  depends_on = [aws_route_table_association.public]
}

resource "aws_ec2_network_insights_path" "bastion_to_target" {
  source           = aws_instance.bastion.id
  destination      = aws_instance.target.id
  protocol         = "tcp"
  destination_port = 22
  tags             = { Name = "bastion-to-target" }
}

resource "aws_ec2_network_insights_path" "other_to_target" {
  source           = aws_instance.other.id
  destination      = aws_instance.target.id
  protocol         = "tcp"
  destination_port = 22
  tags             = { Name = "other-to-target" }
}

# wait_for_completion defaults to true
resource "aws_ec2_network_insights_analysis" "internet_to_bastion" {
  network_insights_path_id = aws_ec2_network_insights_path.internet_to_bastion.id
}

resource "aws_ec2_network_insights_analysis" "bastion_to_target" {
  network_insights_path_id = aws_ec2_network_insights_path.bastion_to_target.id
}

resource "aws_ec2_network_insights_analysis" "other_to_target" {
  network_insights_path_id = aws_ec2_network_insights_path.other_to_target.id
}

# --------------------------------------------------------------------------- outputs

output "path_found" {
  value = {
    internet_to_bastion = aws_ec2_network_insights_analysis.internet_to_bastion.path_found
    bastion_to_target   = aws_ec2_network_insights_analysis.bastion_to_target.path_found
    other_to_target     = aws_ec2_network_insights_analysis.other_to_target.path_found
  }
}

output "status" {
  value = {
    internet_to_bastion = aws_ec2_network_insights_analysis.internet_to_bastion.status
    bastion_to_target   = aws_ec2_network_insights_analysis.bastion_to_target.status
    other_to_target     = aws_ec2_network_insights_analysis.other_to_target.status
  }
}

output "analysis_ids" {
  value = {
    internet_to_bastion = aws_ec2_network_insights_analysis.internet_to_bastion.id
    bastion_to_target   = aws_ec2_network_insights_analysis.bastion_to_target.id
    other_to_target     = aws_ec2_network_insights_analysis.other_to_target.id
  }
}

output "other_to_target_codes" {
  value = [for e in aws_ec2_network_insights_analysis.other_to_target.explanations : e.explanation_code]
}

output "bastion_to_target_forward_ids" {
  value = [for c in aws_ec2_network_insights_analysis.bastion_to_target.forward_path_components : try(c.component[0].id, "")]
}

output "bastion_eni_id" {
  value = aws_instance.bastion.primary_network_interface_id
}

output "target_eni_id" {
  value = aws_instance.target.primary_network_interface_id
}

output "bastion_sg_id" {
  value = aws_security_group.bastion.id
}

output "target_sg_id" {
  value = aws_security_group.target.id
}

# VPC flow logs with the real hashicorp/aws provider, applied by test_flow_logs.py.
# Destinations are given as ARNs (vpclab has no S3, CloudWatch Logs or IAM APIs).

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).

resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"
}

resource "aws_subnet" "app" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "us-east-1a"
}

# S3, default format, Hive-compatible hourly partitions.
resource "aws_flow_log" "vpc_to_s3" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::vpclab-flow-logs/vpc/"

  destination_options {
    hive_compatible_partitions = true
    per_hour_partition         = true
  }

  tags = {
    Name = "vpc-flows"
  }
}

# CloudWatch Logs, custom format, 1-minute aggregation.
resource "aws_flow_log" "subnet_to_cwl" {
  subnet_id                = aws_subnet.app.id
  traffic_type             = "REJECT"
  iam_role_arn             = "arn:aws:iam::123456789012:role/flow-logs"
  log_destination          = "arn:aws:logs:us-east-1:123456789012:log-group:app-rejects"
  max_aggregation_interval = 60
  log_format               = "$${version} $${vpc-id} $${subnet-id} $${interface-id} $${srcaddr} $${dstaddr} $${dstport} $${action} $${flow-direction}"
}

output "vpc_id" {
  value = aws_vpc.main.id
}

output "subnet_id" {
  value = aws_subnet.app.id
}

output "s3_flow_log_id" {
  value = aws_flow_log.vpc_to_s3.id
}

output "s3_flow_log_arn" {
  value = aws_flow_log.vpc_to_s3.arn
}

output "cwl_flow_log_id" {
  value = aws_flow_log.subnet_to_cwl.id
}

# VPC endpoints with the real hashicorp/aws provider, applied by test_endpoints.py.
# An S3 gateway endpoint routing one table inline, a DynamoDB one routing another through a
# standalone association, and an interface endpoint.

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).


resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_hostnames = true
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_route_table" "one" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table" "two" {
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group" "endpoint" {
  name   = "endpoint"
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.one.id]
  tags = {
    Name = "s3"
  }
}

# Route tables of an endpoint are set inline or by associations, not both (as on AWS).
resource "aws_vpc_endpoint" "dynamodb" {
  vpc_id       = aws_vpc.main.id
  service_name = "com.amazonaws.us-east-1.dynamodb"
}

resource "aws_vpc_endpoint_route_table_association" "two" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.two.id
}

resource "aws_vpc_endpoint" "ssm" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.us-east-1.ssm"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = [aws_subnet.a.id]
  security_group_ids  = [aws_security_group.endpoint.id]
  private_dns_enabled = true
}

output "s3_id" {
  value = aws_vpc_endpoint.s3.id
}

output "s3_prefix_list_id" {
  value = aws_vpc_endpoint.s3.prefix_list_id
}

output "dynamodb_id" {
  value = aws_vpc_endpoint.dynamodb.id
}

output "ssm_id" {
  value = aws_vpc_endpoint.ssm.id
}

output "ssm_dns" {
  value = aws_vpc_endpoint.ssm.dns_entry[0].dns_name
}

output "table_ids" {
  value = [aws_route_table.one.id, aws_route_table.two.id]
}

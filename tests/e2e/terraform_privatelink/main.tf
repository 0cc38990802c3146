# PrivateLink with the real hashicorp/aws provider, applied by test_privatelink.py: an internal
# Network Load Balancer, an endpoint service for it (no acceptance: same account), and an
# interface endpoint to the service from another VPC.

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).

resource "aws_vpc" "provider" {
  cidr_block = "172.16.0.0/16"
}

resource "aws_subnet" "provider" {
  vpc_id            = aws_vpc.provider.id
  cidr_block        = "172.16.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_lb" "svc" {
  name               = "svc"
  load_balancer_type = "network"
  internal           = true
  subnets            = [aws_subnet.provider.id]
  tags = {
    Name = "svc"
  }
}

resource "aws_vpc_endpoint_service" "svc" {
  acceptance_required        = false
  network_load_balancer_arns = [aws_lb.svc.arn]
  tags = {
    Name = "svc"
  }
}

resource "aws_vpc" "consumer" {
  cidr_block = "10.30.0.0/16"
}

resource "aws_subnet" "consumer" {
  vpc_id            = aws_vpc.consumer.id
  cidr_block        = "10.30.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_vpc_endpoint" "svc" {
  vpc_id            = aws_vpc.consumer.id
  service_name      = aws_vpc_endpoint_service.svc.service_name
  vpc_endpoint_type = "Interface"
  subnet_ids        = [aws_subnet.consumer.id]
}

output "lb_arn" {
  value = aws_lb.svc.arn
}

output "lb_dns" {
  value = aws_lb.svc.dns_name
}

output "service_id" {
  value = aws_vpc_endpoint_service.svc.id
}

output "service_name" {
  value = aws_vpc_endpoint_service.svc.service_name
}

output "endpoint_id" {
  value = aws_vpc_endpoint.svc.id
}

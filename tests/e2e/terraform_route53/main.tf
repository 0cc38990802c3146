# Issue 6's scenario, applied by test_terraform_route53.py: a public zone whose apex is an alias
# to an internet-facing ALB (one target group, one local HTTP server as a loopback `ip` target —
# a vpclab extension), a weighted pair, a failover pair whose primary's health check probes a
# local HTTP server the test stops (loopback health-check targets are a vpclab extension too),
# and a private zone associated with one VPC.

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).

variable "backend_port" {
  type        = number
  description = "Port of the local HTTP server behind the ALB"
}

variable "primary_port" {
  type        = number
  description = "Port of the local HTTP server the primary's health check probes"
}

locals {
  zones = ["us-east-1a", "us-east-1b"]
}

# ---------------------------------------------------------------- the ALB

resource "aws_vpc" "main" {
  cidr_block           = "10.70.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags = {
    Name = "route53-demo"
  }
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  count                   = 2
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.70.${count.index}.0/24"
  availability_zone       = local.zones[count.index]
  map_public_ip_on_launch = true
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
}

resource "aws_route_table_association" "public" {
  count          = 2
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_lb" "web" {
  name               = "web"
  internal           = false
  load_balancer_type = "application"
  subnets            = aws_subnet.public[*].id
  depends_on         = [aws_route_table_association.public]
}

resource "aws_lb_target_group" "web" {
  name        = "web"
  port        = 80
  protocol    = "HTTP"
  vpc_id      = aws_vpc.main.id
  target_type = "ip"
  health_check {
    path                = "/healthz"
    interval            = 5
    timeout             = 2
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb_target_group_attachment" "web" {
  target_group_arn  = aws_lb_target_group.web.arn
  target_id         = "127.0.0.1"
  port              = var.backend_port
  availability_zone = "all"
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

# ---------------------------------------------------------------- the public zone

resource "aws_route53_zone" "public" {
  name    = "example.com"
  comment = "public"
}

resource "aws_route53_record" "apex" {
  zone_id = aws_route53_zone.public.zone_id
  name    = "example.com"
  type    = "A"
  alias {
    name                   = aws_lb.web.dns_name
    zone_id                = aws_lb.web.zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "weighted" {
  for_each = {
    blue  = { weight = 3, address = "10.0.0.1" }
    green = { weight = 1, address = "10.0.0.2" }
  }
  zone_id        = aws_route53_zone.public.zone_id
  name           = "www"
  type           = "A"
  ttl            = 60
  records        = [each.value.address]
  set_identifier = each.key
  weighted_routing_policy {
    weight = each.value.weight
  }
}

# The smallest settings AWS accepts: the verdict turns within one or two intervals.
resource "aws_route53_health_check" "primary" {
  ip_address        = "127.0.0.1"
  port              = var.primary_port
  type              = "HTTP"
  resource_path     = "/healthz"
  request_interval  = 10
  failure_threshold = 1
  tags = {
    Name = "primary"
  }
}

resource "aws_route53_record" "failover" {
  for_each = {
    PRIMARY   = { address = "192.0.2.1", check = aws_route53_health_check.primary.id }
    SECONDARY = { address = "192.0.2.2", check = null }
  }
  zone_id         = aws_route53_zone.public.zone_id
  name            = "app.example.com"
  type            = "A"
  ttl             = 60
  records         = [each.value.address]
  set_identifier  = lower(each.key)
  health_check_id = each.value.check
  failover_routing_policy {
    type = each.key
  }
}

# ---------------------------------------------------------------- the private zone

resource "aws_route53_zone" "private" {
  name = "corp.internal"
  vpc {
    vpc_id = aws_vpc.main.id
  }
}

resource "aws_route53_record" "db" {
  zone_id = aws_route53_zone.private.zone_id
  name    = "db.corp.internal"
  type    = "A"
  ttl     = 300
  records = ["10.70.0.50"]
}

output "vpc_id" {
  value = aws_vpc.main.id
}

output "public_zone_id" {
  value = aws_route53_zone.public.zone_id
}

output "name_servers" {
  value = aws_route53_zone.public.name_servers
}

output "private_zone_id" {
  value = aws_route53_zone.private.zone_id
}

output "health_check_id" {
  value = aws_route53_health_check.primary.id
}

output "lb_arn" {
  value = aws_lb.web.arn
}

output "lb_dns" {
  value = aws_lb.web.dns_name
}

output "listener_arn" {
  value = aws_lb_listener.http.arn
}

output "target_group_arn" {
  value = aws_lb_target_group.web.arn
}

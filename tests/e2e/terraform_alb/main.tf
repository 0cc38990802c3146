# Issue 5's scenario, applied by test_terraform_alb.py: an internet-facing Application Load
# Balancer in two public subnets, one listener with a path rule, a host rule, a redirect and a
# fixed response, and target groups of local HTTP servers the test starts (their ports come in as
# variables; loopback `ip` targets in AvailabilityZone "all" are a vpclab extension).

# The provider set-up is terraform_common/provider.tf (provider.tf here links to it).

variable "web_ports" {
  type        = list(number)
  description = "Ports of the servers behind the default action (sticky)"
}

variable "api_port" {
  type = number
}

variable "admin_port" {
  type = number
}

locals {
  zones = ["us-east-1a", "us-east-1b"]
  groups = {
    web   = var.web_ports
    api   = [var.api_port]
    admin = [var.admin_port]
  }
  # One attachment per (group, port): "web-41234" => { group = "web", port = 41234 }
  targets = merge([for g, ports in local.groups : { for p in ports : "${g}-${p}" => { group = g, port = p } }]...)
}

resource "aws_vpc" "main" {
  cidr_block = "10.60.0.0/16"
  tags = {
    Name = "alb-demo"
  }
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  count                   = 2
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.60.${count.index}.0/24"
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

resource "aws_security_group" "alb" {
  name        = "alb"
  description = "HTTP from anywhere"
  vpc_id      = aws_vpc.main.id
  ingress {
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
}

resource "aws_lb" "web" {
  name               = "web"
  internal           = false
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = aws_subnet.public[*].id
  # Internet-facing needs the subnets to be public first.
  depends_on = [aws_route_table_association.public]
}

resource "aws_lb_target_group" "app" {
  for_each             = local.groups
  name                 = each.key
  port                 = 80
  protocol             = "HTTP"
  vpc_id               = aws_vpc.main.id
  target_type          = "ip"
  deregistration_delay = 30
  # The smallest settings AWS accepts: a verdict within seconds.
  health_check {
    path                = "/healthz"
    interval            = 5
    timeout             = 2
    healthy_threshold   = 2
    unhealthy_threshold = 2
    matcher             = "200"
  }
  stickiness {
    type            = "lb_cookie"
    enabled         = each.key == "web"
    cookie_duration = 3600
  }
}

resource "aws_lb_target_group_attachment" "app" {
  for_each          = local.targets
  target_group_arn  = aws_lb_target_group.app[each.value.group].arn
  target_id         = "127.0.0.1"
  port              = each.value.port
  availability_zone = "all"
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app["web"].arn
  }
}

resource "aws_lb_listener_rule" "maintenance" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 5
  action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "down for maintenance"
      status_code  = "503"
    }
  }
  condition {
    path_pattern {
      values = ["/maintenance*"]
    }
  }
}

resource "aws_lb_listener_rule" "api" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 10
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app["api"].arn
  }
  condition {
    path_pattern {
      values = ["/api/*"]
    }
  }
}

resource "aws_lb_listener_rule" "admin" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 20
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app["admin"].arn
  }
  condition {
    host_header {
      values = ["admin.example.com"]
    }
  }
}

resource "aws_lb_listener_rule" "old" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 30
  action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      host        = "www.example.com"
      port        = "443"
      path        = "/new/#{path}"
      status_code = "HTTP_301"
    }
  }
  condition {
    path_pattern {
      values = ["/old/*"]
    }
  }
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

output "target_group_arns" {
  value = { for k, tg in aws_lb_target_group.app : k => tg.arn }
}

output "rule_arns" {
  value = [aws_lb_listener_rule.maintenance.arn, aws_lb_listener_rule.api.arn, aws_lb_listener_rule.admin.arn,
  aws_lb_listener_rule.old.arn]
}

# Blue/green application: nginx 1.14 (blue) behind a classic ELB and a weighted alias
# record; with enable_green_application, nginx 1.16 (green) behind its own ELB and a
# second weighted record of the same name at weight 0. Shifting traffic is raising green's
# weight (tipsim infra weights), which a later apply keeps: ignore_changes.

resource "aws_instance" "blue" {
  ami                    = data.aws_ami.nginx_blue.id
  instance_type          = "t2.micro"
  vpc_security_group_ids = [aws_security_group.instances[0].id]
  subnet_id              = aws_subnet.public[0].id
  tags = {
    Name      = "${var.prefix}-blue"
    Terraform = "true"
    Owner     = var.owner
    Version   = "nginx-1.14"
  }
}

resource "aws_elb" "blue" {
  name            = "${var.prefix}-elb"
  subnets         = [aws_subnet.public[0].id]
  security_groups = [aws_security_group.instances[0].id]
  instances       = [aws_instance.blue.id]
  listener {
    instance_port     = 80
    instance_protocol = "http"
    lb_port           = 80
    lb_protocol       = "http"
  }
  health_check {
    healthy_threshold   = 2
    unhealthy_threshold = 2
    timeout             = 3
    target              = "HTTP:80/"
    interval            = 30
  }
  tags = {
    Name = "${var.prefix}-elb"
  }
}

resource "aws_route53_record" "blue" {
  count          = var.emulator_has_elb ? 1 : 0
  zone_id        = aws_route53_zone.private.id
  name           = "application.test.in.production"
  type           = "A"
  set_identifier = "blue"
  weighted_routing_policy {
    weight = 10
  }
  alias {
    name = aws_elb.blue.dns_name
    # moto leaves the ELB's canonical hosted zone id empty: fall back to the private zone
    zone_id                = coalesce(aws_elb.blue.zone_id, aws_route53_zone.private.id)
    evaluate_target_health = true
  }
  lifecycle {
    ignore_changes = [weighted_routing_policy]
  }
}

# Where classic ELBs do not exist (LocalStack's free edition), the same weighted name
# points at the instance itself; the load balancer is then simulated only.
resource "aws_route53_record" "blue_instance" {
  count          = var.emulator_has_elb ? 0 : 1
  zone_id        = aws_route53_zone.private.id
  name           = "application.test.in.production"
  type           = "A"
  set_identifier = "blue"
  ttl            = 60
  records        = [aws_instance.blue.private_ip]
  weighted_routing_policy {
    weight = 10
  }
  lifecycle {
    ignore_changes = [weighted_routing_policy]
  }
}

resource "aws_instance" "green" {
  count         = var.enable_green_application ? 1 : 0
  ami           = data.aws_ami.nginx_green.id
  instance_type = "t2.micro"
  # The talk puts green in every security group (aws_security_group.instances[*].id), of
  # both VPCs; AWS refuses a security group of another VPC than the instance's subnet, so
  # green takes VPC 0's group, beside blue.
  vpc_security_group_ids = [aws_security_group.instances[0].id]
  subnet_id              = aws_subnet.public[0].id
  tags = {
    Name      = "${var.prefix}-green"
    Terraform = "true"
    Owner     = var.owner
    Version   = "nginx-1.16"
  }
}

resource "aws_elb" "green" {
  count = var.enable_green_application ? 1 : 0
  name  = "${var.prefix}-green-elb"
  # The talk spans every public subnet (aws_subnet.public[*].id); a classic ELB cannot
  # span VPCs, so green uses VPC 0's subnet.
  subnets         = [aws_subnet.public[0].id]
  security_groups = [aws_security_group.instances[0].id]
  instances       = [aws_instance.green[0].id]
  listener {
    instance_port     = 80
    instance_protocol = "http"
    lb_port           = 80
    lb_protocol       = "http"
  }
  health_check {
    healthy_threshold   = 2
    unhealthy_threshold = 2
    timeout             = 3
    target              = "HTTP:80/"
    interval            = 30
  }
  tags = {
    Name = "${var.prefix}-green-elb"
  }
}

resource "aws_route53_record" "green" {
  count          = var.enable_green_application && var.emulator_has_elb ? 1 : 0
  zone_id        = aws_route53_zone.private.id
  name           = "application.test.in.production"
  type           = "A"
  set_identifier = "green"
  weighted_routing_policy {
    weight = 0
  }
  alias {
    name                   = aws_elb.green[0].dns_name
    zone_id                = coalesce(aws_elb.green[0].zone_id, aws_route53_zone.private.id)
    evaluate_target_health = true
  }
  lifecycle {
    ignore_changes = [weighted_routing_policy]
  }
}

resource "aws_route53_record" "green_instance" {
  count          = var.enable_green_application && !var.emulator_has_elb ? 1 : 0
  zone_id        = aws_route53_zone.private.id
  name           = "application.test.in.production"
  type           = "A"
  set_identifier = "green"
  ttl            = 60
  records        = [aws_instance.green[0].private_ip]
  weighted_routing_policy {
    weight = 0
  }
  lifecycle {
    ignore_changes = [weighted_routing_policy]
  }
}

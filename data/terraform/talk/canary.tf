# Canary (slides 9-11): with enable_new_network, a canary instance in the green network,
# named in the private zone so that its smoke test can resolve it.

resource "aws_instance" "canary" {
  count = var.enable_new_network ? 1 : 0

  instance_type = "t2.micro"
  ami           = data.aws_ami.ubuntu.id
  # The slide names aws_security_group.instances_green and aws_subnet.public_green; here
  # the green network is index 1 of the counted network resources.
  vpc_security_group_ids = [aws_security_group.instances[1].id]
  subnet_id              = aws_subnet.public[1].id
  tags = {
    Name  = "${var.prefix}-canary"
    Owner = var.owner
  }
}

resource "aws_route53_record" "canary" {
  count   = var.enable_new_network ? 1 : 0
  zone_id = aws_route53_zone.private.id
  name    = "canary.test.in.production"
  type    = "A"
  ttl     = 60
  records = [aws_instance.canary[0].private_ip]
}

# Feature toggle (slide 8): flipping enable_new_ami moves example to the bionic image
# (a new image replaces the instance) and adds example_bionic beside it.

resource "aws_instance" "example" {
  ami                    = var.enable_new_ami ? data.aws_ami.ubuntu_bionic.id : data.aws_ami.ubuntu.id
  instance_type          = "t2.micro"
  vpc_security_group_ids = [aws_security_group.instances[0].id]
  subnet_id              = aws_subnet.public[0].id
  tags = {
    Name       = "${var.prefix}-example"
    Terraform  = "true"
    Owner      = var.owner
    Has_Toggle = "true"
  }
}

resource "aws_instance" "example_bionic" {
  count = var.enable_new_ami ? 1 : 0

  instance_type = "t2.micro"
  ami           = data.aws_ami.ubuntu_bionic.id
  # The slide writes instances.1 and public.1 (the green network of its first version,
  # there only with enable_new_network); the talk's repository puts example_bionic beside
  # example, in network 0. The legacy ".0" index is the slide's own syntax.
  vpc_security_group_ids = [aws_security_group.instances.0.id]
  subnet_id              = aws_subnet.public.0.id
  tags = {
    Name       = "${var.prefix}-example-bionic"
    Terraform  = "true"
    Owner      = var.owner
    Has_Toggle = var.enable_new_ami
  }
}

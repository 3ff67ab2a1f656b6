# The network (counts follow enable_new_network: one VPC, or blue and green).

resource "aws_vpc" "app_vpc" {
  count      = local.network_count
  cidr_block = var.vpc_cidr
  tags = {
    Name  = "${var.prefix}-${count.index}"
    Owner = var.owner
  }
}

resource "aws_internet_gateway" "gw" {
  count  = local.network_count
  vpc_id = aws_vpc.app_vpc[count.index].id
  tags = {
    Name = "${var.prefix}-${count.index}"
  }
}

resource "aws_subnet" "public" {
  count  = local.network_count
  vpc_id = aws_vpc.app_vpc[count.index].id
  # blue (index 0) takes the whole VPC range; green (index 1) the first /28 of it
  cidr_block              = count.index == 0 ? var.vpc_cidr : cidrsubnet(var.vpc_cidr, 4, 0)
  availability_zone       = data.aws_availability_zones.available.names[0]
  map_public_ip_on_launch = true
  tags = {
    Name = "${var.prefix}-public-${count.index}"
  }
}

resource "aws_route_table" "public" {
  count  = local.network_count
  vpc_id = aws_vpc.app_vpc[count.index].id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw[count.index].id
  }
  tags = {
    Name = "${var.prefix}-public-${count.index}"
  }
}

resource "aws_route_table_association" "public" {
  count          = local.network_count
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[count.index].id
}

resource "aws_security_group" "instances" {
  count       = local.network_count
  name        = "${var.prefix}-instances-${count.index}"
  description = "ssh and mongodb from anywhere"
  vpc_id      = aws_vpc.app_vpc[count.index].id
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    protocol    = "tcp"
    from_port   = 27017
    to_port     = 27017
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = {
    Name = "${var.prefix}-instances-${count.index}"
  }
}

resource "aws_route53_zone" "private" {
  name    = "test.in.production"
  comment = "${var.prefix} private zone"
  vpc {
    vpc_id = aws_vpc.app_vpc[0].id
  }
}

# Slides 13-14: the A/B data lake. One Kafka front (MSK), two back ends: a FaaS consumer
# (Lambda reading Kafka) and a Spark cluster (EMR), both writing to the lake bucket (S3).
# The talk shows this stack without code: these files are the kit's. Some arguments are the
# kit's own rather than the AWS provider's (said where they are); Lambda's defaults are
# AWS's: batch size 100 (at most 10,000), 1,769 MB of memory is one vCPU.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region = "us-east-2"
}

resource "aws_vpc" "lake" {
  cidr_block = var.vpc_cidr
  tags = {
    Name = "${var.prefix}-lake"
  }
}

resource "aws_subnet" "lake" {
  count      = 2
  vpc_id     = aws_vpc.lake.id
  cidr_block = cidrsubnet(var.vpc_cidr, 1, count.index)
  tags = {
    Name = "${var.prefix}-lake-${count.index}"
  }
}

resource "aws_security_group" "kafka" {
  name        = "${var.prefix}-kafka"
  description = "kafka clients inside the VPC"
  vpc_id      = aws_vpc.lake.id
  ingress {
    protocol    = "tcp"
    from_port   = 9092
    to_port     = 9098
    cidr_blocks = [var.vpc_cidr]
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_s3_bucket" "lake" {
  bucket = "${var.prefix}-lake"
  tags = {
    Name = "${var.prefix}-lake"
  }
}

resource "aws_iam_role" "consumer" {
  name = "${var.prefix}-consumer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

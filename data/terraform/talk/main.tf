# The talk's AWS stack ("Test in Production: Infrastructure Edition", Rosemary Wang, 2019),
# laid out as its repository test-in-production-for-infrastructure is: the network, the
# feature toggle (slide 8), the canary network (slides 9-11) and a blue/green application.
#
# The kit plans and applies these files on its AWS emulator (tipsim infra plan|apply).
# Terraform and OpenTofu read them too (see the README): the kit's emulator session sets the
# region and endpoints; Terraform takes them from the provider block below.

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

locals {
  # one network without the canary toggle, two (blue and green) with it
  network_count = var.enable_new_network ? 2 : 1
}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]
  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-*"]
  }
}

data "aws_ami" "ubuntu_bionic" {
  most_recent = true
  owners      = ["099720109477"]
  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-amd64-server-*"]
  }
}

data "aws_ami" "nginx_blue" {
  most_recent = true
  owners      = ["979382823631"]
  filter {
    name   = "name"
    values = ["bitnami-nginx-1.14.*-linux-ubuntu-16.04-x86_64-hvm-ebs"]
  }
}

data "aws_ami" "nginx_green" {
  most_recent = true
  owners      = ["979382823631"]
  filter {
    name   = "name"
    values = ["bitnami-nginx-1.16.*-linux-ubuntu-16.04-x86_64-hvm-ebs"]
  }
}

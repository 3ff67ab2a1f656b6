# Slide 12: one Kubernetes control plane, two node groups (an insecure OS image, a secure
# OS image). Tainting the insecure group external=true:NoExecute evicts the external
# workloads that do not tolerate it. The talk shows this stack without code: these files
# are the kit's. Where an argument is the kit's own rather than the AWS provider's, a
# comment says so (the provider writes taints as `taint` blocks, toggled with a `dynamic`
# block, which the kit's HCL subset does not evaluate).

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

data "aws_ami" "insecure_os" {
  most_recent = true
  filter {
    name   = "name"
    values = ["tipsim-k8s-node-insecure-os-*"]
  }
}

data "aws_ami" "secure_os" {
  most_recent = true
  filter {
    name   = "name"
    values = ["tipsim-k8s-node-secure-os-*"]
  }
}

resource "aws_iam_role" "cluster" {
  name = "${var.prefix}-eks-cluster"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "eks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role" "nodes" {
  name = "${var.prefix}-eks-nodes"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_vpc" "eks" {
  cidr_block = var.vpc_cidr
  tags = {
    Name = "${var.prefix}-eks"
  }
}

resource "aws_subnet" "eks" {
  count      = 2
  vpc_id     = aws_vpc.eks.id
  cidr_block = cidrsubnet(var.vpc_cidr, 1, count.index)
  tags = {
    Name = "${var.prefix}-eks-${count.index}"
  }
}

resource "aws_eks_cluster" "main" {
  name     = var.prefix
  role_arn = aws_iam_role.cluster.arn
  version  = var.kubernetes_version
  # the provider nests this in a vpc_config block
  subnet_ids = aws_subnet.eks[*].id
}

locals {
  # the provider writes these as scaling_config blocks; `image` and `taints` are the kit's
  node_subnets = aws_subnet.eks[*].id
  no_execute   = [{ key = "external", value = "true", effect = "NO_EXECUTE" }]
}

resource "aws_eks_node_group" "insecure_os" {
  cluster_name    = aws_eks_cluster.main.name
  node_group_name = "insecure-os"
  node_role_arn   = aws_iam_role.nodes.arn
  subnet_ids      = local.node_subnets
  instance_types  = [var.instance_type]
  image           = data.aws_ami.insecure_os.name
  min_size        = 1
  max_size        = 20
  desired_size    = var.insecure_nodes
  labels = {
    "os-image" = "insecure"
  }
  taints = var.taint_insecure_nodes ? local.no_execute : []
}

resource "aws_eks_node_group" "secure_os" {
  cluster_name    = aws_eks_cluster.main.name
  node_group_name = "secure-os"
  node_role_arn   = aws_iam_role.nodes.arn
  subnet_ids      = local.node_subnets
  instance_types  = [var.instance_type]
  image           = data.aws_ami.secure_os.name
  min_size        = 1
  max_size        = 20
  desired_size    = var.secure_nodes
  labels = {
    "os-image" = "secure"
  }
  taints = []
}

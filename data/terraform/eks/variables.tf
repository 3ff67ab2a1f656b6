variable "taint_insecure_nodes" {
  type        = bool
  default     = false
  description = "taint the insecure-OS group external=true:NoExecute"
}

variable "prefix" {
  type        = string
  default     = "test-in-production"
  description = "name prefix"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.prefix))
    error_message = "lower-case letters, digits and '-', starting with a letter, at most 20 characters."
  }
}

variable "vpc_cidr" {
  type        = string
  default     = "10.129.0.0/24"
  description = "CIDR of the cluster's VPC (two halves, one subnet each)"
  validation {
    condition = (can(regex("^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+/(1[6-9]|2[0-4])$", var.vpc_cidr)) &&
      can(cidrnetmask(var.vpc_cidr)) ?
      cidrhost(var.vpc_cidr, 0) == split("/", var.vpc_cidr)[0] : false)
    error_message = "an IPv4 network such as 10.129.0.0/24, prefix length 16-24, host bits zero."
  }
}

variable "kubernetes_version" {
  type        = string
  default     = "1.29"
  description = "control plane version"
  validation {
    condition     = can(regex("^1[.](2[3-9]|3[0-3])$", var.kubernetes_version))
    error_message = "a version 1.23 to 1.33."
  }
}

variable "instance_type" {
  type        = string
  default     = "t3.medium"
  description = "node instance type"
  validation {
    condition     = can(regex("^[a-z][a-z0-9]*[.][a-z0-9]+$", var.instance_type))
    error_message = "an EC2 instance type such as t3.medium."
  }
}

variable "insecure_nodes" {
  type        = number
  default     = 3
  description = "nodes in the insecure-OS group"
  validation {
    condition     = var.insecure_nodes >= 1 && var.insecure_nodes <= 20
    error_message = "a whole number from 1 to 20."
  }
}

variable "secure_nodes" {
  type        = number
  default     = 3
  description = "nodes in the secure-OS group"
  validation {
    condition     = var.secure_nodes >= 1 && var.secure_nodes <= 20
    error_message = "a whole number from 1 to 20."
  }
}

variable "enable_new_ami" {
  type        = bool
  default     = false
  description = "feature toggle: Ubuntu 18.04 (bionic) image for example, plus example_bionic"
}

variable "enable_new_network" {
  type        = bool
  default     = false
  description = "canary toggle: a second (green) network and the canary instance"
}

variable "enable_green_application" {
  type        = bool
  default     = false
  description = "blue/green toggle: green nginx instance, load balancer and weighted record"
}

variable "prefix" {
  type        = string
  default     = "test-in-production"
  description = "name prefix of every resource"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.prefix))
    error_message = "lower-case letters, digits and '-', starting with a letter, at most 20 characters."
  }
}

variable "vpc_cidr" {
  type        = string
  default     = "10.128.0.0/24"
  description = "CIDR of each VPC; the green subnet is cidrsubnet(vpc_cidr, 4, 0)"
  validation {
    condition = (can(regex("^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+/(1[6-9]|2[0-4])$", var.vpc_cidr)) &&
      can(cidrnetmask(var.vpc_cidr)) ?
      cidrhost(var.vpc_cidr, 0) == split("/", var.vpc_cidr)[0] : false)
    error_message = "an IPv4 network such as 10.128.0.0/24, prefix length 16-24, host bits zero."
  }
}

variable "owner" {
  type        = string
  default     = "tipsim"
  description = "Owner tag"
  validation {
    condition     = can(regex("^[A-Za-z0-9_.@-]{1,64}$", var.owner))
    error_message = "1-64 letters, digits or _.@-."
  }
}

variable "emulator_has_elb" {
  type        = bool
  default     = true
  description = <<-EOT
    Whether classic load balancers exist where this is applied. The kit sets it from the
    emulator (LocalStack's free edition has none: the ELBs are then simulated only and the
    weighted records point at the instances); with Terraform, pass -var emulator_has_elb=false.
  EOT
}

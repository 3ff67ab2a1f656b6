variable "prefix" {
  type        = string
  default     = "test-in-production"
  description = "name prefix (bucket names are lower case)"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.prefix))
    error_message = "lower-case letters, digits and '-', starting with a letter, at most 20 characters."
  }
}

variable "vpc_cidr" {
  type        = string
  default     = "10.130.0.0/24"
  description = "CIDR of the lake's VPC"
  validation {
    condition = (can(regex("^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+/(1[6-9]|2[0-4])$", var.vpc_cidr)) &&
      can(cidrnetmask(var.vpc_cidr)) ?
      cidrhost(var.vpc_cidr, 0) == split("/", var.vpc_cidr)[0] : false)
    error_message = "an IPv4 network such as 10.130.0.0/24, prefix length 16-24, host bits zero."
  }
}

variable "kafka_brokers" {
  type        = number
  default     = 2
  description = "MSK broker nodes (one per subnet, here 2 subnets)"
  validation {
    condition     = var.kafka_brokers >= 2 && var.kafka_brokers <= 15
    error_message = "a whole number from 2 to 15."
  }
}

variable "lambda_memory_mb" {
  type        = number
  default     = 1769
  description = "consumer memory; 1,769 MB is one vCPU (AWS docs)"
  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240
    error_message = "a whole number from 128 to 10240."
  }
}

variable "batch_size" {
  type        = number
  default     = 100
  description = "records per Lambda batch (AWS default 100, max 10,000)"
  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000
    error_message = "a whole number from 1 to 10000."
  }
}

variable "spark_core_nodes" {
  type        = number
  default     = 2
  description = "EMR core nodes"
  validation {
    condition     = var.spark_core_nodes >= 1 && var.spark_core_nodes <= 50
    error_message = "a whole number from 1 to 50."
  }
}

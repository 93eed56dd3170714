variable "region" {
  type        = string
  description = "AWS region for every resource (the worker reads the API key secret in this region)."
}

variable "name" {
  type        = string
  description = "Prefix of every resource name (instance, role, security group, secret)."
  default     = "codec-lab"
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

variable "subnet_id" {
  type        = string
  description = "Subnet of the instance (its VPC and availability zone follow from it). It needs a route to the internet (public IP or NAT) for the Anthropic API, Secrets Manager, SSM, the package and image registries."
}

variable "associate_public_ip" {
  type        = bool
  description = "Give the instance a public IPv4 address (for a public subnet without NAT; the status port still opens only to status_cidr)."
  default     = true
}

variable "instance_type" {
  type        = string
  description = "EC2 instance size. The loop evaluates in 1-CPU sandboxes, two at a time by default; 4 vCPUs and 16 GiB fit that with room for the worker."
  default     = "m6i.xlarge"
}

variable "ami_id" {
  type        = string
  description = "AMI of an Amazon Linux 2023 x86_64 image (it ships the SSM agent; user data installs Docker with dnf). Empty: the latest one, read from the public SSM parameter in ami_ssm_parameter."
  default     = ""

  validation {
    condition     = var.ami_id == "" || can(regex("^ami-[0-9a-f]{8,17}$", var.ami_id))
    error_message = "ami_id is empty or an AMI id (ami- and 8 to 17 hex digits)."
  }
}

variable "ami_ssm_parameter" {
  type        = string
  description = "Public SSM parameter holding the current Amazon Linux 2023 x86_64 AMI id (published by AWS), used when ami_id is empty."
  default     = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

variable "root_volume_gb" {
  type        = number
  description = "Size of the encrypted root volume (Docker images live here: the sandbox image is about 1.4 GB)."
  default     = 30
}

variable "data_volume_gb" {
  type        = number
  description = "Size of the encrypted volume mounted at /srv/codec-lab/data: every attempt, the SQLite store, the clip sets and anchor caches."
  default     = 50
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for both EBS volumes. Empty: the account's AWS-managed aws/ebs key."
  default     = ""
}

variable "status_port" {
  type        = number
  description = "TCP port of the worker's status endpoint (/healthz, the status pages) on the instance."
  default     = 8080
}

variable "status_cidr" {
  type        = string
  description = "The one IPv4 CIDR allowed to reach the status port, for example your office's address with /32. Nothing else is exposed; operators use SSM, not SSH."

  validation {
    condition     = can(cidrhost(var.status_cidr, 0)) && var.status_cidr != "0.0.0.0/0"
    error_message = "status_cidr is one IPv4 CIDR such as 203.0.113.7/32, and not 0.0.0.0/0."
  }
}

variable "secret_name" {
  type        = string
  description = "Name of the Secrets Manager secret created for the Anthropic API key. Its value is set out of band (the runbook shows how); Terraform never sees it."
  default     = "codec-lab/anthropic-api-key"
}

variable "repository_url" {
  type        = string
  description = "Git URL the instance clones codec-lab from at first boot (the images are built from this checkout)."
}

variable "repository_ref" {
  type        = string
  description = "Branch, tag or commit of repository_url to deploy."
  default     = "main"
}

variable "generator" {
  type        = string
  description = "Code generator of the research loop: anthropic (the key from the secret) or offline (no key, the program search)."
  default     = "anthropic"

  validation {
    condition     = contains(["anthropic", "offline"], var.generator)
    error_message = "generator is anthropic or offline."
  }
}

variable "run_args" {
  type        = string
  description = "Extra arguments of `codec-lab run` in the worker, for example \"--until 30d --max-dollars 200\"."
  default     = ""

  validation {
    condition     = can(regex("^[A-Za-z0-9 ._:=,/-]*$", var.run_args))
    error_message = "run_args holds flags and plain values only (letters, digits, spaces and ._:=,/-)."
  }
}

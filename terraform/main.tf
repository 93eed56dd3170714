# One EC2 host running the codec-lab worker container. Operators reach it through SSM
# (no SSH, no key pair); the only open port is the status endpoint, for one CIDR.

data "aws_subnet" "worker" {
  id = var.subnet_id
}

data "aws_ssm_parameter" "ami" {
  count = var.ami_id == "" ? 1 : 0
  name  = var.ami_ssm_parameter
}

locals {
  ami_id      = var.ami_id != "" ? var.ami_id : data.aws_ssm_parameter.ami[0].insecure_value
  kms_key_arn = var.kms_key_arn == "" ? null : var.kms_key_arn
}

resource "aws_security_group" "worker" {
  name_prefix = "${var.name}-worker-"
  description = "codec-lab worker: the status port from one CIDR, no SSH (operators use SSM)"
  vpc_id      = data.aws_subnet.worker.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "status" {
  security_group_id = aws_security_group.worker.id
  description       = "codec-lab status endpoint"
  ip_protocol       = "tcp"
  from_port         = var.status_port
  to_port           = var.status_port
  cidr_ipv4         = var.status_cidr
}

# Outbound: HTTPS (Anthropic API, Secrets Manager, SSM, package and image registries, git) and
# HTTP (Debian's archive, used when the sandbox image is built from its Dockerfile).
resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.worker.id
  description       = "HTTPS out"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "http" {
  security_group_id = aws_security_group.worker.id
  description       = "HTTP out (Debian archive)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_instance" "worker" {
  ami                         = local.ami_id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [aws_security_group.worker.id]
  iam_instance_profile        = aws_iam_instance_profile.worker.name
  associate_public_ip_address = var.associate_public_ip

  user_data = templatefile("${path.module}/user-data.sh.tftpl", {
    region         = var.region
    data_volume_id = aws_ebs_volume.data.id
    repository_url = var.repository_url
    repository_ref = var.repository_ref
    secret_id      = aws_secretsmanager_secret.api_key.name
    status_port    = var.status_port
    generator      = var.generator
    run_args       = var.run_args
  })

  # IMDSv2 only; two hops so that the worker container (bridge network) reaches the instance
  # role's credentials. Sandboxes have no network at all.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.root_volume_gb
    encrypted   = true
    kms_key_id  = local.kms_key_arn
  }

  tags = {
    Name = "${var.name}-worker"
  }

  # A newer AMI or an edited user data script must not replace a running worker; upgrades go
  # through the runbook (deploy/README.md).
  lifecycle {
    ignore_changes = [ami, user_data]
  }
}

resource "aws_ebs_volume" "data" {
  availability_zone = data.aws_subnet.worker.availability_zone
  type              = "gp3"
  size              = var.data_volume_gb
  encrypted         = true
  kms_key_id        = local.kms_key_arn

  tags = {
    Name = "${var.name}-data"
  }
}

resource "aws_volume_attachment" "data" {
  device_name                    = "/dev/sdf"
  volume_id                      = aws_ebs_volume.data.id
  instance_id                    = aws_instance.worker.id
  stop_instance_before_detaching = true
}

# The instance role grants exactly two things: reading the API key secret, and what the SSM
# agent needs (AmazonSSMManagedInstanceCore). test/unit/terraform-policy.test.ts keeps it so.
# Note that the AWS-managed policy also allows ssm:GetParameter(s) on every parameter of the
# account: keep secrets in Secrets Manager, not in SSM parameters, in the worker's account.

data "aws_partition" "current" {}

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "Ec2AssumesTheWorkerRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "read_api_key" {
  statement {
    sid       = "ReadTheApiKeySecret"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.api_key.arn]
  }
}

resource "aws_iam_role" "worker" {
  name_prefix        = "${var.name}-worker-"
  description        = "codec-lab worker host: read the API key secret, SSM managed instance core"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}

resource "aws_iam_role_policy" "read_api_key" {
  name   = "read-api-key"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.read_api_key.json
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  role       = aws_iam_role.worker.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "worker" {
  name_prefix = "${var.name}-worker-"
  role        = aws_iam_role.worker.name
}

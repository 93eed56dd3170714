# The Anthropic API key. Terraform creates the secret but never its value: the operator puts
# the value with `aws secretsmanager put-secret-value` (deploy/README.md), so the key is in
# neither the Terraform state nor the user data. Encrypted with the AWS-managed key.
resource "aws_secretsmanager_secret" "api_key" {
  name                    = var.secret_name
  description             = "Anthropic API key of the codec-lab worker; value set out of band"
  recovery_window_in_days = 7
}

output "instance_id" {
  description = "The worker host's instance id: the target of `aws ssm start-session` and `aws ssm send-command`."
  value       = aws_instance.worker.id
}

output "status_url" {
  description = "The worker's status endpoint, reachable from status_cidr only."
  value       = "http://${coalesce(aws_instance.worker.public_ip, aws_instance.worker.private_ip)}:${var.status_port}"
}

output "secret_arn" {
  description = "The Secrets Manager secret to put the Anthropic API key in (deploy/README.md)."
  value       = aws_secretsmanager_secret.api_key.arn
}

output "data_volume_id" {
  description = "The encrypted EBS volume holding the data dir (snapshot it to back up)."
  value       = aws_ebs_volume.data.id
}

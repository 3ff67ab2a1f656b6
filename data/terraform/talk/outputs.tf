output "example_ami" {
  description = "the image example runs (xenial, or bionic with enable_new_ami)"
  value       = aws_instance.example.ami
}

output "canary_private_ip" {
  description = "the canary's address (empty without enable_new_network)"
  value       = aws_instance.canary[*].private_ip
}

output "application_name" {
  description = "the weighted name blue and green share"
  value       = "application.test.in.production"
}

output "blue_elb_dns_name" {
  value = aws_elb.blue.dns_name
}

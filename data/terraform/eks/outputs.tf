output "cluster_name" {
  value = aws_eks_cluster.main.name
}

output "node_groups" {
  description = "desired nodes per group"
  value = {
    insecure_os = aws_eks_node_group.insecure_os.desired_size
    secure_os   = aws_eks_node_group.secure_os.desired_size
  }
}

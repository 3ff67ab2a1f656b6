resource "aws_msk_cluster" "front" {
  cluster_name           = "${var.prefix}-front"
  kafka_version          = "3.6.0"
  number_of_broker_nodes = var.kafka_brokers
  # the provider nests these in a broker_node_group_info block
  broker_instance_type = "kafka.m5.large"
  client_subnets       = aws_subnet.lake[*].id
  security_groups      = [aws_security_group.kafka.id]
}

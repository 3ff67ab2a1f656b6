"""The data lake: a Kafka topic, FaaS consumers, a Spark cluster, and what landed when."""

# Arm A: a Lambda function reading the Kafka topic in batches.
resource "aws_lambda_function" "consumer" {
  function_name = "${var.prefix}-consumer"
  runtime       = "python3.11"
  handler       = "consumer.handler"
  role          = aws_iam_role.consumer.arn
  # the provider's memory_size and timeout; `source` (the code itself) is the kit's, where
  # the provider takes a zip file (filename)
  memory_size_mb = var.lambda_memory_mb
  timeout_s      = 60
  source         = <<-EOT
    import base64

    def handler(event, context):
        records = [r for batch in event.get('records', {}).values() for r in batch]
        return {'records': len(records), 'bytes': sum(len(base64.b64decode(r['value'])) for r in records)}
  EOT
}

resource "aws_lambda_event_source_mapping" "consumer" {
  function_name     = aws_lambda_function.consumer.function_name
  event_source_arn  = aws_msk_cluster.front.arn
  topics            = ["events"]
  starting_position = "LATEST"
  batch_size        = var.batch_size
  # the provider's maximum_batching_window_in_seconds
  maximum_batching_window_s = 0
}

# Arm B: a Spark cluster (EMR).
resource "aws_emr_cluster" "spark" {
  name          = "${var.prefix}-spark"
  release_label = "emr-6.15.0"
  applications  = ["Spark"]
  # the provider nests these in master_instance_group and core_instance_group blocks
  master_instance_type = "m5.xlarge"
  core_instance_type   = "m5.xlarge"
  core_instance_count  = var.spark_core_nodes
  subnet_id            = aws_subnet.lake[0].id
}

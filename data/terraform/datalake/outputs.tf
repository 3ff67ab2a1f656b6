output "lake_bucket" {
  value = aws_s3_bucket.lake.bucket
}

output "kafka_arn" {
  value = aws_msk_cluster.front.arn
}

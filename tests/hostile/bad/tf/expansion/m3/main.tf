resource "aws_s3_bucket" "b" {
  bucket = "level-3"
}

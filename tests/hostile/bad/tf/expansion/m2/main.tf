module "fan" {
  source = "../m3"
  count  = 1000
}

resource "aws_s3_bucket" "b" {
  bucket = "level-2"
}

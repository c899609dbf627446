locals {
  passwd   = file("/etc/passwd")
  relative = templatefile("../../../../../../../../etc/passwd", {})
  link     = templatefile("link.tpl", {})
  hash     = filemd5("/etc/shadow")
  device   = file("/dev/zero")
  listing  = fileset("/", "**")
  up       = fileset("../../../..", "**")
}
resource "aws_security_group" "escape" {
  ingress {
    # in a block a policy reads: an argument nothing reads is never evaluated
    description = jsonencode([local.passwd, local.relative, local.link, local.hash, local.device, local.listing, local.up])
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    # expect: IAC-NET-001
    cidr_blocks = ["0.0.0.0/0"]
  }
}

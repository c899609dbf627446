locals {
  a = local.b
  b = [local.a]
  self = "${local.self}!"
}
resource "aws_security_group" "cycle" {
  ingress {
    # in a block a policy reads: an argument nothing reads is never evaluated
    description = jsonencode([local.a, local.self])
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    # expect: IAC-NET-001
    cidr_blocks = ["0.0.0.0/0"]
  }
}

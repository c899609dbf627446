locals {
  a = local.b
  b = [local.a]
  self = "${local.self}!"
}
resource "aws_security_group" "cycle" {
  description = jsonencode([local.a, local.self])
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    # expect: IAC-NET-001
    cidr_blocks = ["0.0.0.0/0"]
  }
}

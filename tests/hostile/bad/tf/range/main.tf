locals {
  huge   = range(1e9)
  each   = [for i in range(1e9) : i]
  square = [for a in range(1000) : [for b in range(1000) : a * b]]
  text   = "%{for a in range(1000)}%{for b in range(1000)}%{for c in range(1000)}x%{endfor}%{endfor}%{endfor}"
}
resource "aws_security_group" "range" {
  ingress {
    # in a block a policy reads: an argument nothing reads is never evaluated
    description = jsonencode([length(local.huge), length(local.each), length(local.square), local.text])
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    # expect: IAC-NET-001
    cidr_blocks = ["0.0.0.0/0"]
  }
}

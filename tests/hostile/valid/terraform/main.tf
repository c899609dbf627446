resource "aws_security_group" "open" {
  description = "ssh from anywhere"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    # expect: IAC-NET-001
    cidr_blocks = ["0.0.0.0/0"]
  }
}

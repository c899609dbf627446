resource "aws_security_group" "crlf" {
  description = "CRLF line ends"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    # expect: IAC-NET-001
    cidr_blocks = ["0.0.0.0/0"]
  }
}

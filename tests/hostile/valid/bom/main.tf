resource "aws_security_group" "bom" {
  description = "a UTF-8 byte order mark opens this file"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    # expect: IAC-NET-001
    cidr_blocks = ["0.0.0.0/0"]
  }
}

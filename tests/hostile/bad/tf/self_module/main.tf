module "me" {
  source = "./"
}

module "again" {
  source = "../self_module"
}
resource "aws_security_group" "self_module" {
  description = "a module that calls itself"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    # expect: IAC-NET-001
    cidr_blocks = ["0.0.0.0/0"]
  }
}

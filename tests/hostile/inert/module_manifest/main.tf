module "outside" {
  source = "registry.example.com/acme/outside/aws"
}

module "up" {
  source = "registry.example.com/acme/up/aws"
}
resource "aws_security_group" "manifest" {
  description = module.outside.anything
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    # expect: IAC-NET-001
    cidr_blocks = ["0.0.0.0/0"]
  }
}

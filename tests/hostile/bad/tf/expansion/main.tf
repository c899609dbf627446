module "fan" {
  source = "./m1"
  count  = 1000
}

resource "aws_security_group" "many" {
  count = 1000
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_security_group" "nested" {
  dynamic "ingress" {
    for_each = range(1000)
    content {
  dynamic "ingress" {
    for_each = range(1000)
    content {
  dynamic "ingress" {
    for_each = range(1000)
    content {
  dynamic "ingress" {
    for_each = range(1000)
    content {
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
    }
  }
    }
  }
    }
  }
}

resource "aws_security_group" "expansion" {
  description = "one resource after the limit is reached: still evaluated"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    # expect: IAC-NET-001
    cidr_blocks = ["0.0.0.0/0"]
  }
}

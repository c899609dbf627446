terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

locals {
  name = "shop-${var.environment}"
  web_ports = [80, 443]
}

resource "aws_security_group" "web" {
  name        = "${local.name}-web"
  description = "Public web tier"

  dynamic "ingress" {
    for_each = local.web_ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}

resource "aws_security_group" "bastion" {
  name        = "${local.name}-bastion"
  description = "SSH for administrators"

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-2016-08"
  certificate_arn   = aws_acm_certificate.web.arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_lb" "web" {
  name               = "${local.name}-web"
  load_balancer_type = "application"
  security_groups    = [aws_security_group.web.id]
  subnets            = var.public_subnet_ids
}

resource "aws_db_instance" "orders" {
  identifier          = "${local.name}-orders"
  engine              = "postgres"
  instance_class      = "db.t4g.medium"
  allocated_storage   = 50
  username            = "orders"
  password            = "Tr0ub4dor&3-orders"
  storage_encrypted   = var.db_encrypted
  publicly_accessible = false
}

resource "aws_instance" "bastion" {
  count                  = 1
  ami                    = "ami-0c1bc246476a5572b"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.bastion.id]

  root_block_device {
    encrypted = true
  }

  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_instance" "legacy_reporting" {
  ami           = "ami-0c1bc246476a5572b"
  instance_type = "t3.small"

  # iaclint: ignore[IAC-ENC-003] until=2027-03-31 decommissioned with the reporting move, ticket OPS-1422
  ebs_block_device {
    device_name = "/dev/sdb"
    volume_size = 100
  }

  user_data = <<-EOT
    #!/bin/bash
    export AWS_ACCESS_KEY_ID=AKIA4QWERTYUIOPASDFG
    /opt/report/run --nightly
  EOT
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 200
}

locals {
  a = <<EOF
line
line

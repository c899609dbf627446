resource "null_resource" "pwn" {
  provisioner "local-exec" {
    command = "touch PWNED-local-exec"
  }
}

data "external" "pwn" {
  program = ["sh", "-c", "touch PWNED-external"]
}

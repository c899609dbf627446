variable "environment" {
  type    = string
  default = "prod"
}

variable "admin_cidr" {
  description = "Where administrators connect from"
  type        = string
  default     = "0.0.0.0/0"
}

variable "db_encrypted" {
  type    = bool
  default = true
}

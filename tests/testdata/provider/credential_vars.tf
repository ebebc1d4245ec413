terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

# A reusable module offers both credential schemes; the unused one stays null.
variable "api_token" {
  type      = string
  default   = null
  sensitive = true
}

variable "api_key" {
  type      = string
  default   = null
  sensitive = true
}

variable "email" {
  type    = string
  default = null
}

provider "cloudflare" {
  api_token = var.api_token
  api_key   = var.api_key
  email     = var.email
}

resource "cloudflare_organization" "test" {
  name = "From Variables"
}

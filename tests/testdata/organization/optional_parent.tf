terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

variable "parent_id" {
  type    = string
  default = null
}

resource "cloudflare_organization" "test" {
  name   = "Child"
  parent = var.parent_id == null ? null : { id = var.parent_id }
}

terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

data "cloudflare_organizations" "roots" {
  parent = {
    id = "null"
  }
}

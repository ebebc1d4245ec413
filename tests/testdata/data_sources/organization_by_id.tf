terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

data "cloudflare_organization" "one" {
  organization_id = "{{organization_id}}"
}

terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

resource "cloudflare_organization" "{{label}}" {
  name = "{{name}}"
}

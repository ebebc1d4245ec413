terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

resource "cloudflare_organization" "test" {
  name = "{{name}}"

  parent = {
    id = "{{parent_id}}"
  }
}

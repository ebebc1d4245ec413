terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

resource "cloudflare_organization" "ro" {
  name        = "Read Only Org"
  create_time = "2020-01-01T00:00:00Z"

  parent = {
    id   = "{{organization_id}}"
    name = "Some Parent"
  }
}

data "cloudflare_organization" "ro" {
  organization_id = "{{organization_id}}"
  id              = "{{organization_id}}"
}

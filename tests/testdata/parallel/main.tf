terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

locals {
  orgs = {{count}}
}

resource "cloudflare_organization" "o" {
  count = local.orgs
  name  = "Parallel Org ${count.index}"
}

resource "cloudflare_organization_profile" "p" {
  count             = local.orgs
  organization_id   = cloudflare_organization.o[count.index].id
  business_name     = "Parallel Business ${count.index}"
  business_email    = "ops-${count.index}@parallel.example"
  business_phone    = "+1 415 555 ${format("%04d", count.index)}"
  business_address  = "${count.index} Market St, San Francisco, CA 94105, US"
  external_metadata = jsonencode({ index = count.index })
}

terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

resource "cloudflare_organization" "logged" {
  name = "Logged Org"

  profile = {
    business_name     = "{{business_name}}"
    business_email    = "{{business_email}}"
    business_phone    = "+1 415 555 0100"
    business_address  = "101 Market St, San Francisco, CA 94105, US"
    external_metadata = jsonencode({ department = "IT" })
  }
}

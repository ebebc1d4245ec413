terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

resource "cloudflare_organization" "big" {
  name = "Big Metadata Org"

  profile = {
    business_name     = "Acme Corporation"
    business_email    = "it-admin@acme.example"
    business_phone    = "+1 415 555 0100"
    business_address  = "101 Market St, San Francisco, CA 94105, US"
    external_metadata = "{{external_metadata}}"
  }
}

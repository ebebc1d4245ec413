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

  profile = {
    business_name     = "Acme Corporation"
    business_email    = "it-admin@acme.example"
    business_phone    = "+1 415 555 0100"
    business_address  = "{{address}}"
    external_metadata = jsonencode({ department = "IT" })
  }
}

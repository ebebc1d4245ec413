# The configuration that went with the official provider's state, after switching the source to
# cloudflare-orgs/cloudflare (the only edit a user makes).
terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

# Profile managed through the organization's own `profile` attribute.
resource "cloudflare_organization" "a" {
  name = "Acme Holdings"

  profile = {
    business_name     = "Acme Holdings Inc."
    business_email    = "legal@acme.example"
    business_phone    = "+1 415 555 0100"
    business_address  = "101 Market St, San Francisco, CA 94105, US"
    external_metadata = jsonencode({ department = "Legal" })
  }
}

# Profile managed through the separate profile resource.
resource "cloudflare_organization" "b" {
  name = "Globex Europe"
}

resource "cloudflare_organization_profile" "b" {
  organization_id   = cloudflare_organization.b.id
  business_name     = "Globex Europe GmbH"
  business_email    = "{{b_email}}"
  business_phone    = "+49 30 901820"
  business_address  = "Unter den Linden 1, 10117 Berlin, DE"
  external_metadata = "{}"
}

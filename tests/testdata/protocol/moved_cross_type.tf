resource "cloudflare_organization_profile" "p" {
  organization_id   = "{{organization_id}}"
  business_name     = "Acme Corporation"
  business_email    = "it-admin@acme.example"
  business_phone    = "+1 415 555 0100"
  business_address  = "101 Market St, San Francisco, CA 94105, US"
  external_metadata = "{}"
}

moved {
  from = cloudflare_organization.b
  to   = cloudflare_organization_profile.p
}

resource "cloudflare_organization_profile" "acme" {
  organization_id   = "023e105f4ecef8ad9ca31a8372d0c353"
  business_name     = "Acme Corporation"
  business_email    = "it-admin@acme.example"
  business_phone    = "+1 415 555 0100"
  business_address  = "101 Market St, San Francisco, CA 94105, US"
  external_metadata = jsonencode({ department = "IT" })
}

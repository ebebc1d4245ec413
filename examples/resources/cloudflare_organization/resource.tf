resource "cloudflare_organization" "acme" {
  name = "Acme Corp"

  profile = {
    business_name     = "Acme Corporation"
    business_email    = "it-admin@acme.example"
    business_phone    = "+1 415 555 0100"
    business_address  = "101 Market St, San Francisco, CA 94105, US"
    external_metadata = jsonencode({ department = "IT" })
  }
}

# A sub-organization (MSSP and distributor organizations allow nesting).
# Changing parent.id forces a new organization.
resource "cloudflare_organization" "emea" {
  name = "Acme EMEA"

  parent = {
    id = cloudflare_organization.acme.id
  }
}

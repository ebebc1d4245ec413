# Quickstart: one organization with a business profile.
#
# Credentials and the API address come from the environment:
#   CLOUDFLARE_BASE_URL   (set by `make demo` to the local emulator)
#   CLOUDFLARE_API_TOKEN, or CLOUDFLARE_API_KEY + CLOUDFLARE_EMAIL
terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

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

output "organization_id" {
  description = "ID Cloudflare assigned to the organization."
  value       = cloudflare_organization.acme.id
}

output "created_at" {
  description = "When the organization was created."
  value       = cloudflare_organization.acme.create_time
}

output "hierarchy_tags" {
  description = "Hierarchy tags, root first."
  value       = cloudflare_organization.acme.meta.hierarchy_tags
}

output "business_name" {
  description = "The profile's business name."
  value       = cloudflare_organization.acme.profile.business_name
}

# By ID.
data "cloudflare_organization" "by_id" {
  organization_id = "023e105f4ecef8ad9ca31a8372d0c353"
}

# By a filter that must match exactly one organization.
data "cloudflare_organization" "by_name" {
  filter = {
    name = {
      starts_with = "Acme EMEA"
    }
  }
}

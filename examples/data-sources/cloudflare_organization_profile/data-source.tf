data "cloudflare_organization_profile" "acme" {
  organization_id = "023e105f4ecef8ad9ca31a8372d0c353"
}

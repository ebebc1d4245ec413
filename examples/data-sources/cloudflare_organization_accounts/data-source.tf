# The first 100 accounts of an organization, by name, in name order.
data "cloudflare_organization_accounts" "acme" {
  organization_id = "023e105f4ecef8ad9ca31a8372d0c353"
  order_by        = "account_name"
  direction       = "asc"
  max_items       = 100
}

output "enterprise_accounts" {
  value = [for a in data.cloudflare_organization_accounts.acme.result : a.name if a.type == "enterprise"]
}

terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

data "cloudflare_organization_accounts" "all" {
  organization_id = "{{organization_id}}"
  page_size       = {{page_size}}
  order_by        = {{order_by}}
  direction       = {{direction}}
  max_items       = {{max_items}}
}

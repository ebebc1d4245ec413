terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {}

data "cloudflare_organizations" "matching" {
  name = {
    contains = "{{contains}}"
  }
  page_size = {{page_size}}
  max_items = {{max_items}}
}

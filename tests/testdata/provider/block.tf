terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

provider "cloudflare" {
{{provider_body}}
}

resource "cloudflare_organization" "test" {
  name = "{{name}}"
}

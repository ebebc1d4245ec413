terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

# The token only becomes known during apply.
resource "terraform_data" "token" {
  input = "emulator-token"
}

provider "cloudflare" {
  api_token = terraform_data.token.output
}

resource "cloudflare_organization" "test" {
  name = "Late Credentials"
}

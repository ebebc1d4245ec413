terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

# The Organizations API documents a global API key with its email for every
# operation but listing; a user API token may be refused (HTTP 403) for the
# others, so the key is the dependable choice.
provider "cloudflare" {
  api_key = var.cloudflare_api_key
  email   = "admin@acme.example"

  # Optional tuning (defaults shown).
  max_retries         = 4
  min_backoff         = 1
  max_backoff         = 30
  requests_per_second = 3
}

variable "cloudflare_api_key" {
  type      = string
  sensitive = true
}

# terraform query: every root organization whose name contains "acme".
list "cloudflare_organization" "acme" {
  provider = cloudflare

  config {
    name = {
      contains = "acme"
    }
    parent = {
      id = "null"
    }
  }
}

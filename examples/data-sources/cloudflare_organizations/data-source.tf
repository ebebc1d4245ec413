# Every root organization whose name contains "acme" (all pages are read).
data "cloudflare_organizations" "acme_roots" {
  name = {
    contains = "acme"
  }
  parent = {
    id = "null"
  }
}

output "acme_root_ids" {
  value = data.cloudflare_organizations.acme_roots.result[*].id
}

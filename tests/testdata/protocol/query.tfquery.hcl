list "cloudflare_organization" "found" {
  provider         = cloudflare
  include_resource = {{include_resource}}

  config {
    name = {
      contains = "{{contains}}"
    }
  }
}

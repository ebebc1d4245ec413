moved {
  from = cloudflare_organization.a
  to   = cloudflare_organization.b
}

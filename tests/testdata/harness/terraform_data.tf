# Fixture for tests/harness.rs: only built-in resources, so it needs no provider.
resource "terraform_data" "greeting" {
  input = "{{greeting}}"
}

resource "terraform_data" "derived" {
  input = {
    upper = upper(terraform_data.greeting.output)
    list  = ["a", "b"]
  }
}

output "greeting" {
  value = terraform_data.greeting.output
}

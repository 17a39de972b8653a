"""Deploy the user's own system onto the local cloud: a bare cloud, Lambda zips from uv projects, Terraform."""

"""HTTP plumbing shared by the JSON API and the web pages: auth, guards, CSRF, headers."""

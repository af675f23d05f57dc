"""Analytics of the site: page views (first-party, no personal data) and platform use."""

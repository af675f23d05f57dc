"""The domain and the JSON API of the Kumamoto DX consortium platform."""

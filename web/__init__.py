"""The HTMX front end: page controllers, Jinja2 templates, static files and the app factory."""

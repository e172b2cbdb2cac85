"""HTTP routes: pages, the JSON API, uploads, health and metrics."""

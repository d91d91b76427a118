"""REST API v1 (PRODUCT.md §7): flask-smorest, bearer tokens, JSON errors."""
from flask import Flask


def init_api(app: Flask) -> None:
    """Register the API blueprints under /api/v1 (filled in by the API work)."""

"""Pages of the tickets feature."""
from flask import Blueprint

bp = Blueprint("tickets", __name__)

"""Pages of the admin feature."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

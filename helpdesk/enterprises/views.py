"""Pages of the enterprises feature."""
from flask import Blueprint

bp = Blueprint("enterprises", __name__)

"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
from helpdesk import create_app

app = create_app()

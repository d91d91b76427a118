"""Admin pages (under /admin), one module per area; the verbs they call live in each feature's services."""

from helpdesk.admin import audit_log, enterprises, holidays, overview, reference, users  # noqa: F401 - routes
from helpdesk.admin.blueprint import bp

__all__ = ["bp"]

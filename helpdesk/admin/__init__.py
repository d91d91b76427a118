"""Admin pages (under /admin), one module per area; the verbs they call live in each feature's services."""

from helpdesk.admin import (  # noqa: F401 - routes
    audit_log,
    deliveries,
    enterprises,
    holidays,
    overview,
    reference,
    robots,
    security_log,
    users,
)
from helpdesk.admin.blueprint import bp

__all__ = ["bp"]

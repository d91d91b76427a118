"""Admin pages and the admin audit log."""

"""The admin audit log (and, later, the security audit log): append-only records of who changed what."""

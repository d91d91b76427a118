"""The admin audit log and the security audit log: append-only records of who changed or did what."""

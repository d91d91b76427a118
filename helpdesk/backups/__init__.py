"""Backups and restores of the database and the attachments (`flask backup`, `flask restore`)."""

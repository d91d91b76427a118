"""Users, logins, API tokens and who may see what."""

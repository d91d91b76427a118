"""The background worker (`flask worker`): delivers the outbox and runs the periodic jobs."""

"""Notifications: in-app rows, the outbox that carries them further, channels, group robots, preferences."""

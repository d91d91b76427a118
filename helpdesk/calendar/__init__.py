"""Working-day calendar for mainland China (statutory holidays, 调休 make-up days, admin overrides)."""

"""Callback verification (回访): supervisors call companies back to check that a resolution is real."""

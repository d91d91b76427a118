"""Jurisdictions, departments, categories and routing rules: the reference data."""

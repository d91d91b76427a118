"""Tests of the resolution-rate tracker (PRODUCT.md §6)."""

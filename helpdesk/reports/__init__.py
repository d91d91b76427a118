"""The resolution-rate tracker (PRODUCT.md §6)."""

"""Benchmarks of the resolution-rate tracker and the API at scale (`make bench`)."""

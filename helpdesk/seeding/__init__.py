"""Reference data from seeds/ and the demo world."""

"""Files attached to tickets: stored outside static under random names, judged by their content."""

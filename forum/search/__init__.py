"""Full-text search over threads and comments."""

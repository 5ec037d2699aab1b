"""Discussion threads and their comments."""

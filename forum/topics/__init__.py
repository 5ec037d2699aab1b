"""Ethics topics: the taxonomy that makes discussions findable, and the tagging of threads."""

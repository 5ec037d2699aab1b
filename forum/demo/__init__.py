"""Original demo content for trying the forum: members, threads and comments."""

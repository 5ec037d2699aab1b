"""Rate limits kept in the database, so they hold across workers, servers and restarts."""

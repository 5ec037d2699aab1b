"""Members: joining, logging in, sessions and API tokens, profiles."""

"""Official guideline documents: managed reference texts, edited by admins with a full revision history."""

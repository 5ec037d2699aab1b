"""Moderation: members' reports, the review queue, moderators' actions, and the audit log."""

"""Notifications, following and email: telling members what happened while they were away."""

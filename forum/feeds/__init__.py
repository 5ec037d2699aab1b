"""Atom feeds of public discussions."""

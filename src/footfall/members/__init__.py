"""Membership applications: clean, validate, batch and load."""

"""Recommender: interactions, models behind one interface, and the evaluation protocol."""

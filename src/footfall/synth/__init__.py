"""Generators of realistic sample data for demos, tests and benchmarks (seeded, vectorized)."""

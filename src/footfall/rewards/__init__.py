"""Rewards: load campaign, reward and transaction exports into the warehouse."""

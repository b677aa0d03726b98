"""Deployment helpers: the model artifact SageMaker serves, and rolling an endpoint onto it (docs/deploy.md)."""

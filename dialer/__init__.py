"""Outbound edge: channel adapters, the worker, rate limits and the simulated carrier."""

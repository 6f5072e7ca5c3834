"""Durable background work: a queue table written in the transaction of each change, and the worker."""

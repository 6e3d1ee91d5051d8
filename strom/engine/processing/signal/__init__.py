"""SIGNAL commands."""

"""Scheduled tasks of the engine: checkers that find due work in state and write commands."""

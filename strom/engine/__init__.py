"""strom.engine (under construction)."""

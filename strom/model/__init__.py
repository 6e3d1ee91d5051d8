"""strom.model (under construction)."""

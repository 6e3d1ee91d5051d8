"""strom.db (under construction)."""

"""strom.feel (under construction)."""

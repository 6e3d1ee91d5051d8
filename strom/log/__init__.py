"""strom.log (under construction)."""

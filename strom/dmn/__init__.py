"""strom.dmn (under construction)."""

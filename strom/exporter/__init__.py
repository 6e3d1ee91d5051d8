"""strom.exporter (under construction)."""

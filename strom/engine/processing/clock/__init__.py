"""CLOCK PIN and RESET: a controllable partition clock, for tests and demos (Zeebe 8.8)."""

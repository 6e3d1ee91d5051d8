"""TIMER commands."""

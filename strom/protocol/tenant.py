"""Tenant identifiers as Zeebe writes them."""

from __future__ import annotations

DEFAULT_TENANT_ID = "<default>"
"""The tenant every entity belongs to when multi-tenancy is off (Zeebe's ``<default>``)."""

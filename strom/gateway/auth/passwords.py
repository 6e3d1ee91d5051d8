"""Checking a Basic password against the argon2 hash in secondary storage, without paying the
~100 ms of argon2 on every request.

A successful check is remembered for a short time under (username, SHA-256 of the password) with
the hash it was checked against; it counts only while storage still holds that same hash, so a
changed password (or a deleted and re-created user) is checked anew at once. Failures are never
remembered. Checks run in worker threads (the gateways' event loop must not stop for 100 ms), at
most ``concurrency`` at a time: argon2id takes 64 MiB per check, and a flood of wrong passwords
must queue rather than exhaust memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict

from strom.engine.processing.identity.passwords import unknown_user_hash, verify_hash


class PasswordVerifier:
    """Verifies passwords off the event loop and remembers recent successes (module docstring)."""

    def __init__(self, ttl_s: float = 60.0, max_entries: int = 1024, concurrency: int = 2) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._remembered: OrderedDict[tuple[str, bytes], tuple[str, float]] = OrderedDict()
        self._concurrency = concurrency
        self._slots: asyncio.Semaphore | None = None
        self.verifications = 0
        """argon2 checks run so far (what the cache saves shows here)."""

    async def verify(self, username: str, password: str, password_hash: str | None) -> bool:
        """Whether ``password`` is the password of ``username``, whose stored hash is
        ``password_hash`` (None: no such user, refused after the same work)."""
        key = (username, hashlib.sha256(password.encode("utf-8", "surrogatepass")).digest())
        now = time.monotonic()
        if password_hash is not None:
            remembered = self._remembered.get(key)
            if remembered is not None:
                if remembered[0] == password_hash and remembered[1] > now:
                    return True
                del self._remembered[key]
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._concurrency)
        async with self._slots:
            self.verifications += 1
            matches = await asyncio.to_thread(verify_hash, password_hash or unknown_user_hash(), password)
        if not matches or password_hash is None or not password:
            return False
        self._remembered[key] = (password_hash, time.monotonic() + self._ttl_s)
        self._remembered.move_to_end(key)
        while len(self._remembered) > self._max_entries:
            self._remembered.popitem(last=False)
        return True

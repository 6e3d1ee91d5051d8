"""Which build of Strom runs: the engine compiled with mypyc, or interpreted.

Compiling the engine's hot packages with mypyc at install time is being prepared on the
``mypyc-build`` branch (measured there: ~1.3x one-task throughput; one replay test still crashes
compiled). Until it lands every install runs interpreted; benchmarks print :func:`variant` so a
figure always says which build made it.
"""

from __future__ import annotations

__all__ = ["variant"]


def variant() -> str:
    """``"mypyc"`` when the stream processor runs compiled, else ``"interpreted"``."""
    from strom.stream import processor

    return "mypyc" if not (processor.__file__ or "").endswith(".py") else "interpreted"

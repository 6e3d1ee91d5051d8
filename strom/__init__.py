"""Strom: a BPMN/DMN workflow engine built the way Zeebe is built inside.

Layers (packages) import only downward; see ``docs/architecture.md``. The public packages are
``strom.client``, ``strom.testing``, ``strom.exporter``, ``strom.feel`` and ``strom.dmn``; the rest
(``protocol``, ``model``, ``log``, ``db``, ``stream``, ``engine``, ``broker``, ``gateway``) are internal.
"""

import os as _os

__version__ = "0.1.0"

if _os.environ.get("STROM_PURE_PYTHON", "") not in ("", "0"):
    # The interpreted variant: ignore the modules pip compiled with mypyc (strom.build_variant).
    from strom.build_variant import prefer_sources as _prefer_sources

    _prefer_sources()
else:
    # Edited since compiled (an editable install): run the sources, saying so.
    from strom.build_variant import fall_back_if_stale as _fall_back_if_stale

    _fall_back_if_stale(_os.path.dirname(__file__))

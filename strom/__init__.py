"""Strom: a BPMN/DMN workflow engine built the way Zeebe is built inside.

Layers (packages) import only downward; see ``docs/architecture.md``. The public packages are
``strom.client``, ``strom.testing``, ``strom.exporter``, ``strom.feel`` and ``strom.dmn``; the rest
(``protocol``, ``model``, ``log``, ``db``, ``stream``, ``engine``, ``broker``, ``gateway``) are internal.
"""

__version__ = "0.1.0"

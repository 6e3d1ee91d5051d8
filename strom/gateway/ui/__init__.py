"""Operate and Tasklist in the browser, served by the broker's REST server.

The apps are static files built from ``ui/`` at the repository root (``npm run build`` writes them
to ``static/operate`` and ``static/tasklist``); they read and act only through ``/v2``. Each app is
a single page: any path below ``/operate/`` or ``/tasklist/`` that is not a file answers the app's
``index.html`` and the app routes on the client. ``/login`` is Operate's page too: the login form the
apps go to when ``/v2`` answers 401 with the session challenge (``--auth basic``; see
``strom.gateway.auth.sessions``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
APPS = ("operate", "tasklist")
_IMMUTABLE = "public, max-age=31536000, immutable"
"""Built assets carry a content hash in their names, so a browser may keep them for good."""


class SinglePageApp(StaticFiles):
    """Static files with a fallback to ``index.html`` for the app's client-side routes."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or not _is_route(path):
                raise
            response = await super().get_response("index.html", scope)
        if path.startswith("assets/") and response.status_code == 200:
            response.headers["Cache-Control"] = _IMMUTABLE
        else:
            response.headers.setdefault("Cache-Control", "no-cache")
        return response


def _is_route(path: str) -> bool:
    """A client-side route (``instances/123``), not a missing file (``assets/x.js``)."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return not path.startswith("assets/") and "." not in last


def mount_ui(app: Starlette) -> None:
    """Serves Operate at ``/operate``, Tasklist at ``/tasklist`` and the login page at ``/login``,
    and makes ``/`` lead to Operate.

    Call it before other routes of ``/`` are added: the first route that matches a path serves it.
    """

    async def root(request: Request) -> Response:
        return RedirectResponse("/operate/")

    async def login(request: Request) -> Response:
        index = STATIC / "operate" / "index.html"
        if not index.is_file():
            return await _missing("operate")(request)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.add_route("/", root, include_in_schema=False)
    app.add_route("/login", login, include_in_schema=False)
    for name in APPS:
        directory = STATIC / name
        if (directory / "index.html").is_file():
            app.mount(f"/{name}", SinglePageApp(directory=directory, html=True), name=f"ui-{name}")
        else:
            app.add_route(f"/{name}", _missing(name), include_in_schema=False)
            app.add_route(f"/{name}/{{path:path}}", _missing(name), include_in_schema=False)


def _missing(name: str) -> Callable[[Request], Awaitable[Response]]:
    async def missing(request: Request) -> Response:
        return PlainTextResponse(
            f"The {name} assets are not in this installation ({STATIC / name}). They are built "
            "with Node.js 20 and npm when Strom is installed from its repository: install Node.js "
            "and npm, then reinstall (`pip install -e .`) or build them by hand with "
            "`cd ui && npm ci && npm run build`.",
            status_code=503,
        )

    return missing


__all__ = ["APPS", "STATIC", "SinglePageApp", "mount_ui"]

"""The built UI ships inside the Python package: each app's index.html and every asset it loads."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from strom.gateway.ui import APPS, STATIC, mount_ui


@pytest.mark.parametrize("app", APPS)
def test_index_references_only_shipped_assets(app: str) -> None:
    index = (STATIC / app / "index.html").read_text()
    references = re.findall(r'(?:src|href)="(/[^"]+)"', index)
    assets = [ref for ref in references if ref.startswith(f"/{app}/assets/")]
    assert assets, f"{app}/index.html loads no built assets: {references}"
    for asset in assets:
        assert (STATIC / asset.lstrip("/")).is_file(), f"{asset} is missing from the package"
    for path in (STATIC / app / "assets").iterdir():
        assert not path.name.endswith(".map"), "source maps are not shipped"


def test_served_with_client_side_routes_and_cache_headers() -> None:
    application = FastAPI()
    mount_ui(application)
    client = TestClient(application)
    assert client.get("/", follow_redirects=False).headers["location"] == "/operate/"
    assert client.get("/operate", follow_redirects=False).headers["location"].endswith("/operate/")
    index = client.get("/tasklist/processes/123/start")
    assert index.status_code == 200 and "Tasklist" in index.text
    asset = re.search(r'src="(/tasklist/assets/[^"]+\.js)"', index.text)
    assert asset is not None
    served = client.get(asset.group(1))
    assert served.status_code == 200 and "immutable" in served.headers["cache-control"]
    assert client.get("/operate/assets/nothing-here.js").status_code == 404
    assert client.get("/operate/missing.txt").status_code == 404

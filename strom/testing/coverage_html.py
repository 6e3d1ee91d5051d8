"""The HTML page of process coverage: each deployed process's diagram with what the tests reached.

``pytest --strom-coverage`` writes it next to the JSON report (``strom-coverage.html``). The page
is one self-contained file that works offline from ``file://``: the data, the page's script and
the diagram viewer are inlined. The viewer is Operate's (``ui/operate/diagram.js``: bpmn-js's
NavigatedViewer, with bpmn.io's auto layout for models without diagram interchange, such as
those of ``strom.testing.bpmn``), built with the UI (``npm run build``; the package build runs it)
by ``ui/vite.coverage.config.js`` into ``strom/gateway/ui/static/coverage`` as one classic script
— browsers refuse ES modules from ``file://``. Without the built UI the page still has the tables,
and each diagram's place says how to build the viewer.

On the diagram, reached elements carry the marker class ``strom-covered`` (with a badge counting
their activations), elements never reached ``strom-missed``, taken flows ``strom-taken`` and
flows never taken ``strom-missed-flow``; each diagram's container gets ``data-rendered="true"``
once drawn (``"error"`` with a message when the viewer could not draw it, ``"unavailable"`` when
the viewer is not built).
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from strom.testing.coverage import ProcessCoverage

_VIEWER = resources.files("strom") / "gateway" / "ui" / "static" / "coverage"
"""The built viewer (a resource path: importing the gateway's UI module would load Starlette)."""
HOW_TO_BUILD = "cd ui && npm ci && npm run build (or install Strom again with npm on the PATH)"

_PAGE_CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9dee4; --accent: #2563eb; --active: #0e9f6e;
  --incident: #d92d20; --done: #7b8794; --missed: #d97706; }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--ink); margin: 0; background: #f4f6f8; }
header, section, nav { max-width: 1200px; margin: 0 auto; padding: 12px 24px; }
h1 { font-size: 22px; margin: 16px 0 4px; }
h2 { font-size: 17px; margin: 8px 0 4px; }
.percentage { font-weight: 700; }
.muted { color: var(--muted); }
table.summary { border-collapse: collapse; background: #fff; width: 100%; }
table.summary th, table.summary td { border-bottom: 1px solid var(--line); padding: 4px 10px;
  text-align: left; }
table.summary td.number { text-align: right; font-variant-numeric: tabular-nums; }
section.process { background: #fff; border: 1px solid var(--line); border-radius: 4px; margin-top: 16px; }
.diagram { height: 360px; }
.diagram[data-rendered="error"], .diagram[data-rendered="unavailable"] { height: auto; padding: 12px;
  color: var(--incident); }
.legend span { margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px;
  vertical-align: -1px; }
.strom-coverage-id { font-size: 11px; color: var(--muted); white-space: nowrap; }
.djs-element.strom-covered .djs-visual > :first-child { stroke: var(--active) !important;
  stroke-width: 2.5px !important; fill: #e7f8f1 !important; }
.djs-element.strom-missed .djs-visual > :first-child { stroke: var(--missed) !important;
  stroke-dasharray: 5 3 !important; }
.djs-connection.strom-missed-flow .djs-visual > path { stroke: var(--missed) !important;
  stroke-dasharray: 5 3 !important; }
"""

_PAGE_SCRIPT = """
(async () => {
  const data = JSON.parse(document.getElementById('strom-coverage-data').textContent);
  for (const process of data.processes) {
    const container = document.querySelector(`.diagram[data-process-id="${CSS.escape(process.id)}"]`);
    if (typeof StromCoverageViewer === 'undefined') {
      container.dataset.rendered = 'unavailable';
      container.textContent =
        `No diagram: the viewer was not built when this page was written (${data.howToBuild}).`;
      continue;
    }
    try {
      const diagram = new StromCoverageViewer.Diagram(container);
      await diagram.show(process.xml);
      const canvas = diagram.viewer.get('canvas');
      const registry = diagram.viewer.get('elementRegistry');
      const overlays = diagram.viewer.get('overlays');
      let drawn = 0;
      for (const [id, count] of Object.entries(process.elements)) {
        const element = registry.get(id);
        if (!element) continue;
        drawn++;
        if (!element.businessObject.name) {
          const label = document.createElement('div');
          label.className = 'strom-coverage-id';
          label.textContent = id;
          overlays.add(id, 'strom-coverage', { position: { bottom: -2, left: 0 }, html: label });
        }
        canvas.addMarker(id, count ? 'strom-covered' : 'strom-missed');
        if (!count) continue;
        const badge = document.createElement('span');
        badge.className = 'strom-token strom-token-active';
        badge.title = `activated ${count} time${count === 1 ? '' : 's'}`;
        badge.textContent = String(count);
        overlays.add(id, 'strom-coverage', { position: { top: -12, left: -12 }, html: badge });
      }
      for (const [id, count] of Object.entries(process.flows)) {
        if (registry.get(id)) canvas.addMarker(id, count ? 'strom-taken' : 'strom-missed-flow');
      }
      if (!drawn && Object.keys(process.elements).length) {
        throw new Error('the diagram of this resource shows another process');
      }
      container.dataset.rendered = 'true';
    } catch (error) {
      container.dataset.rendered = 'error';
      container.textContent = `The diagram could not be drawn: ${error.message}`;
    }
  }
})();
"""


def html_path(json_path: Path) -> Path:
    """Where the page goes: beside the JSON report, with the same name and ``.html``."""
    return json_path.with_suffix(".html")


def render_html(coverage: ProcessCoverage) -> str:
    """The page: the total, a summary table and one section per process with its diagram."""
    report = coverage.to_json()
    total = report["total"]
    processes = [
        {
            "id": process_id,
            "xml": coverage.diagrams.get(process_id, ""),
            "elements": coverage.processes[process_id].elements,
            "flows": coverage.processes[process_id].flows,
        }
        for process_id in sorted(coverage.processes)
    ]
    rows = "".join(_summary_row(process_id, data) for process_id, data in report["processes"].items())
    sections = "".join(_section(process_id, data) for process_id, data in report["processes"].items())
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Strom process coverage</title>\n"
        f"<style>{_asset('viewer.css')}</style>\n<style>{_PAGE_CSS}</style>\n</head>\n<body>\n"
        '<header>\n<h1>Process coverage</h1>\n<p class="total">'
        f'<span class="percentage" data-total-percentage="{total["percentage"]}">'
        f"{total['percentage']:.1f}%</span> of {total['elements']} elements and {total['flows']} "
        f"sequence flows reached by the tests ({total['covered']} covered).</p>\n"
        '<p class="legend muted"><span><i style="background:#e7f8f1;border:2px solid var(--active)"></i>'
        'reached (the badge counts activations)</span><span><i style="border:2px dashed var(--missed)">'
        '</i>never reached</span><span><i style="background:var(--accent)"></i>flow taken</span></p>\n'
        '</header>\n<nav>\n<table class="summary"><thead><tr><th>process</th><th>elements</th>'
        "<th>flows</th><th>coverage</th><th>not reached</th></tr></thead>\n"
        f"<tbody>{rows}</tbody></table>\n</nav>\n{sections}"
        '<script type="application/json" id="strom-coverage-data">'
        f"{_script_json({'processes': processes, 'howToBuild': HOW_TO_BUILD})}</script>\n"
        f"<script>{_asset('viewer.js')}</script>\n<script>{_PAGE_SCRIPT}</script>\n</body>\n</html>\n"
    )


def write_html(coverage: ProcessCoverage, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(coverage), encoding="utf-8")


def _summary_row(process_id: str, data: dict[str, Any]) -> str:
    elements, flows = data["elements"], data["flows"]
    missed = ", ".join(elements["not_covered"]) or "-"
    return (
        f'<tr><td><a href="#process-{escape(process_id)}">{escape(process_id)}</a></td>'
        f'<td class="number">{elements["covered"]}/{elements["total"]}</td>'
        f'<td class="number">{flows["covered"]}/{flows["total"]}</td>'
        f'<td class="number">{data["percentage"]:.1f}%</td><td>{escape(missed)}</td></tr>\n'
    )


def _section(process_id: str, data: dict[str, Any]) -> str:
    elements, flows = data["elements"], data["flows"]
    missed = ", ".join(elements["not_covered"] + flows["not_covered"]) or "nothing"
    quoted = escape(process_id)
    return (
        f'<section class="process" id="process-{quoted}" data-process-id="{quoted}" '
        f'data-percentage="{data["percentage"]}">\n'
        f'<h2>{quoted} <span class="percentage">{data["percentage"]:.1f}%</span></h2>\n'
        f'<p class="muted">{elements["covered"]} of {elements["total"]} elements and {flows["covered"]} of '
        f"{flows['total']} sequence flows reached; not reached: {escape(missed)}</p>\n"
        f'<div class="diagram" data-process-id="{quoted}"></div>\n</section>\n'
    )


def _script_json(value: Any) -> str:
    """JSON safe inside ``<script>``: no ``</`` that would end the element."""
    return json.dumps(value).replace("</", "<\\/")


def _asset(name: str) -> str:
    """A file of the built viewer, or nothing when the UI was not built."""
    asset = _VIEWER / name
    return asset.read_text(encoding="utf-8") if asset.is_file() else ""


__all__ = ["html_path", "render_html", "write_html"]

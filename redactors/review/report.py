"""`tabir report`: one self-contained HTML file about a run, for people who
may not see originals. Per file: status, reasons, counts by type, and the
OUTPUT's pages (already redacted) as small pictures with the redacted areas
outlined. It never opens an original and writes no value: file names are the
manifest's public names (personal data in them already replaced)."""

from __future__ import annotations

import base64
import html
import io
import json
from collections import Counter
from pathlib import Path

from PIL import Image, ImageDraw

from ..publish import OutputLayout
from .render import DocumentPages

THUMB_WIDTH = 360
MAX_PAGES_SHOWN = 6


def build_report(out: Path, run_id: str | None = None) -> str:
    layout = OutputLayout(Path(out))
    path = layout.manifests / (f"{run_id}.json" if run_id else "latest.json")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FileNotFoundError(f"{path}: no manifest to report on ({exc})") from None
    counts = manifest["counts"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Tabir report {_e(manifest['run_id'])}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:1200px}"
        "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.25rem .5rem;text-align:left}"
        ".pages{display:flex;flex-wrap:wrap;gap:.5rem}.pages img{border:1px solid #999;max-width:360px}"
        "section{border-top:2px solid #1f3a5f;margin-top:1.2rem;padding-top:.4rem}</style></head><body>",
        f"<h1>Tabir run {_e(manifest['run_id'])}</h1>",
        f"<p>{_e(manifest['started_at'])} to {_e(manifest['finished_at'])}; tool {_e(manifest['tool']['version'])}; "
        f"policy sha256 {_e(manifest['config']['sha256'][:12])}…</p>",
        "<table><caption>Counts</caption><tr>" + "".join(
            f"<th scope='col'>{_e(k)}</th>" for k in ("files", "redacted", "review", "failed", "skipped", "pages",
                                                      "findings")) + "</tr><tr>" + "".join(
            f"<td>{counts.get(k, 0)}</td>" for k in ("files", "redacted", "review", "failed", "skipped", "pages",
                                                   "findings")) + "</tr></table>",
    ]
    for entry in manifest["files"]:
        parts.append(_file_section(layout, entry))
    parts.append("<p>Outlines show where something was redacted; originals and removed values are never in "
                 "this report.</p></body></html>")
    return "\n".join(parts)


def _file_section(layout: OutputLayout, entry: dict) -> str:
    by_type = Counter(f["entity_type"] for f in entry["findings"])
    rows = [f"<section><h2>{_e(entry['input'])}</h2>",
            f"<p>Status: <strong>{_e(entry['status'])}</strong>"
            + (f" — {_e(entry['reason'])}" if entry.get("reason") else "") + "</p>",
            "<p>Found: " + (", ".join(f"{_e(t)} {n}" for t, n in sorted(by_type.items())) or "nothing") + "</p>"]
    if entry.get("review_actions"):
        rows.append("<p>Reviewed: " + "; ".join(
            f"{_e(a['action'])} by {_e(a['by'])} → {_e(a['result'])}" for a in entry["review_actions"]) + "</p>")
    pictures = _thumbnails(layout, entry)
    if pictures:
        rows.append("<div class='pages'>" + "".join(
            f"<img alt='{_e(entry['input'])} page {n}' src='data:image/png;base64,{p}'>" for n, p in pictures)
            + "</div>")
    rows.append("</section>")
    return "\n".join(rows)


def _thumbnails(layout: OutputLayout, entry: dict) -> list[tuple[int, str]]:
    """The output's first pages with the redacted areas outlined in red."""
    if not entry.get("output") or entry.get("format") not in ("pdf", "image", "docx", "legacy-word"):
        return []
    try:
        data = (layout.root / entry["output"]).read_bytes()
        pages = DocumentPages(data, entry["format"], Path(entry["output"]).suffix)
    except Exception:  # a report must not fail over one picture
        return []
    shown = []
    try:
        for number in range(1, min(pages.count, MAX_PAGES_SHOWN) + 1):
            picture = pages.picture(number, THUMB_WIDTH)
            image = Image.open(io.BytesIO(picture.png)).convert("RGB")
            scale = image.width / picture.width
            draw = ImageDraw.Draw(image)
            for finding in entry["findings"]:
                box = pages.display_box(number, finding.get("bbox")) if finding.get("page") == number else None
                if box:
                    draw.rectangle([v * scale for v in box], outline=(220, 0, 0), width=2)
            out = io.BytesIO()
            image.save(out, "PNG", optimize=True)
            shown.append((number, base64.b64encode(out.getvalue()).decode("ascii")))
    finally:
        pages.close()
    return shown


def _e(text) -> str:
    return html.escape(str(text), quote=True)

"""The review desk's web application: server-rendered pages over
redactors/review/desk.py, local and offline.

Access: every request must carry the access token (in the URL the desk
prints, once, which sets a same-site cookie); every POST carries the CSRF
token of its form. Pages are never cached by the browser (they show
originals) and may not be framed."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tabir.redactors.review.desk import DeskError, ReviewDesk
from tabir.redactors.review.render import WORD_FORMATS, DocumentPages

HERE = Path(__file__).resolve().parent
COOKIE = "tabir_desk"
ENTITY_TYPES = ("PERSON", "LOCATION", "ADDRESS", "ID_NIK", "PHONE_NUMBER", "EMAIL_ADDRESS", "CASE_NUMBER",
                "DATE_OF_BIRTH", "MEDICAL_RECORD_NUMBER", "BANK_ACCOUNT", "CASE_DETAIL")
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'self'",
}


def create_app(desk: ReviewDesk, token: str) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    csrf = secrets.token_urlsafe(24)
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    pages_cache: dict[tuple, DocumentPages] = {}

    @app.middleware("http")
    async def guard(request: Request, call_next):
        given = request.query_params.get("token")
        if given is not None and hmac.compare_digest(given, token):
            target = request.url.path
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
            return response
        if not hmac.compare_digest(request.cookies.get(COOKIE, ""), token):
            return Response("Forbidden: open the review desk with the URL it printed (it carries the access token).\n",
                            status_code=403, media_type="text/plain", headers=SECURITY_HEADERS)
        if request.method == "POST":
            form = parse_qs((await request.body()).decode("utf-8", "replace"))
            request.state.form = {k: v[0] for k, v in form.items()}
            if not hmac.compare_digest(request.state.form.get("csrf", ""), csrf):
                return Response("Forbidden: the form's CSRF token is missing or wrong.\n", status_code=403,
                                media_type="text/plain", headers=SECURITY_HEADERS)
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    def page(name: str, **values) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(csrf=csrf, **values))

    def error(message: str, status: int = 400) -> HTMLResponse:
        return HTMLResponse(templates.get_template("error.html").render(message=message, csrf=csrf),
                            status_code=status)

    def document_pages(entry: dict, which: str) -> DocumentPages | None:
        key = (entry.get("input_sha256"), entry.get("output_sha256"), which)
        if key not in pages_cache:
            data = desk.original(entry).data if which == "original" else desk.output_bytes(entry)
            if data is None:
                return None
            suffix = Path(entry["output"] or entry["input"]).suffix if which == "output" else Path(entry["input"]).suffix
            if len(pages_cache) > 8:
                pages_cache.pop(next(iter(pages_cache))).close()
            pages_cache[key] = DocumentPages(data, entry["format"], suffix)
        return pages_cache[key]

    @app.get("/", response_class=HTMLResponse)
    def runs():
        return page("runs.html", runs=desk.runs())

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run(run_id: str):
        try:
            manifest = desk.run(run_id)
        except DeskError as exc:
            return error(str(exc), 404)
        return page("run.html", run=manifest)

    @app.get("/runs/{run_id}/files/{index}", response_class=HTMLResponse)
    def file_view(run_id: str, index: int, request: Request, page_number: int = 1):
        try:
            entry = desk.entry(run_id, index)
            analysis = desk.analyse(entry) if entry.get("input_sha256") else None
            original = document_pages(entry, "original")
        except DeskError as exc:
            return error(str(exc), 404)
        output = document_pages(entry, "output")
        count = max(original.count if original else 0, output.count if output else 0)
        page_number = min(max(1, page_number), max(1, count))
        boxes = []
        size = None
        words = []
        if original and original.count >= page_number:
            picture = original.picture(page_number)
            size = (picture.width, picture.height)
            words = original.words(page_number)
            for finding in analysis.findings if analysis else []:
                box = original.display_box(page_number, finding.bbox) if finding.page == page_number else None
                if box:
                    boxes.append((finding, box))
        return page("file.html", run_id=run_id, index=index, entry=entry, analysis=analysis, page_number=page_number,
                    page_count=count, boxes=boxes, size=size, has_original=bool(original and original.count),
                    has_output=bool(output and output.count), words=words,
                    areas=entry["format"] in ("pdf", "image"), selectable=entry["format"] in ("pdf",) + WORD_FORMATS,
                    entity_types=ENTITY_TYPES, message=request.query_params.get("done"),
                    problem=request.query_params.get("problem"))

    @app.get("/runs/{run_id}/files/{index}/pages/{number}/{which}.png")
    def page_png(run_id: str, index: int, number: int, which: str):
        if which not in ("original", "output"):
            return error("no such picture", 404)
        try:
            pages = document_pages(desk.entry(run_id, index), which)
        except DeskError as exc:
            return error(str(exc), 404)
        if pages is None or not 1 <= number <= pages.count:
            return error("no such page", 404)
        return Response(pages.picture(number).png, media_type="image/png")

    def act(run_id: str, index: int, do, done: str, page_number: int = 1):
        base = f"/runs/{run_id}/files/{index}?page_number={page_number}"
        try:
            entry = do()
        except DeskError as exc:
            return RedirectResponse(f"{base}&problem={quote(str(exc))}", status_code=303)
        pages_cache.clear()
        outcome = {"redacted": "published to redacted/ (verification passed)",
                   "review": "kept in review/: " + (entry.get("reason") or ""),
                   "rejected": "kept out of publication"}.get(entry["status"], entry["status"])
        return RedirectResponse(f"{base}&done={quote(done + '; ' + outcome)}", status_code=303)

    def form(request: Request) -> dict:
        return request.state.form

    def number(value: str | None, default: float = 0.0) -> float:
        try:
            return float(value)
        except (TypeError, ValueError):
            return default

    @app.post("/runs/{run_id}/files/{index}/undo")
    def undo(run_id: str, index: int, request: Request):
        f = form(request)
        return act(run_id, index, lambda: desk.undo(run_id, index, int(number(f.get("finding"), -1)),
                                                   f.get("scope", "document")),
                   "finding undone", int(number(f.get("page_number"), 1)))

    @app.post("/runs/{run_id}/files/{index}/term")
    def add_term(run_id: str, index: int, request: Request):
        f = form(request)
        return act(run_id, index, lambda: desk.add_term(run_id, index, f.get("term", ""),
                                                       f.get("entity_type", "PERSON"), f.get("scope", "document")),
                   "term added", int(number(f.get("page_number"), 1)))

    @app.post("/runs/{run_id}/files/{index}/box")
    def add_box(run_id: str, index: int, request: Request):
        f = form(request)
        page_number = int(number(f.get("page"), 1))
        box = tuple(number(f.get(k)) for k in ("x0", "y0", "x1", "y1"))
        return act(run_id, index, lambda: desk.add_box(run_id, index, page_number, box), "area redacted", page_number)

    @app.post("/runs/{run_id}/files/{index}/words")
    def add_words(run_id: str, index: int, request: Request):
        f = form(request)
        page_number = int(number(f.get("page"), 1))
        area = tuple(number(f.get(k)) for k in ("x0", "y0", "x1", "y1"))
        return act(run_id, index, lambda: desk.add_words(run_id, index, page_number, area,
                                                        f.get("entity_type", "PERSON"), f.get("scope", "document")),
                   "selected words redacted", page_number)

    @app.post("/runs/{run_id}/files/{index}/approve")
    def approve(run_id: str, index: int, request: Request):
        despite = form(request).get("despite") == "yes"
        return act(run_id, index, lambda: desk.approve(run_id, index, despite=despite),
                   "published despite verification" if despite else "approved")

    @app.post("/runs/{run_id}/files/{index}/reject")
    def reject(run_id: str, index: int):
        return act(run_id, index, lambda: desk.reject(run_id, index), "rejected")

    @app.get("/static/{name}")
    def static(name: str):
        path = HERE / "static" / name
        if name not in ("desk.css", "desk.js") or not path.is_file():
            return error("not found", 404)
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        return Response(path.read_bytes(), media_type=kind)

    return app

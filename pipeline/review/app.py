"""The review desk's web app: routes only; the work is in project.py (through the adapter),
jobs.py (reruns) and views.py (pages)."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.review import views
from pipeline.delivery.approvals import Decision
from pipeline.review.errors import (
    DeskBusy, EditRefused, NotFound, ProjectError, ReviewError, StaleFile, UnreadableSubtitles,
)
from pipeline.review.jobs import Jobs
from pipeline.review.project import ReviewProject
from pipeline.review.security import Guard, safe_file
from pipeline.review.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 64 * 1024
STATUS = {EditRefused: 422, UnreadableSubtitles: 422, StaleFile: 409, DeskBusy: 409, NotFound: 404,
          ProjectError: 500}
MEDIA_TYPES = {".mp4": "video/mp4", ".srt": "text/plain; charset=utf-8",
               ".vtt": "text/vtt; charset=utf-8", ".json": "application/json"}


CHOICE_KEY = re.compile(r"^(?:\d{1,6}|new-\d{1,6})$")  # a line of the file, or a new one


def _status(error: ReviewError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)


async def _json_body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise EditRefused("send the request as JSON")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise EditRefused("the request is too large")
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise EditRefused("the request is not valid JSON") from None
    if not isinstance(data, dict):
        raise EditRefused("the request must be a JSON object")
    return data


def _text(data: dict[str, Any], name: str, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise EditRefused(f"{name!r} must be text")
    return value


def create_app(settings: Settings) -> Starlette:
    project = ReviewProject(settings.config_path)
    jobs = Jobs(project)

    def page(template: str, **context: Any) -> HTMLResponse:
        html = views.render(template, csrf=settings.csrf, outputs=str(project.out),
                            busy=project.busy(), running=jobs.running(), **context)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def board(request: Request) -> Response:
        show = request.query_params.get("show", "all")
        show = show if show in views.FILTERS else "all"
        query = request.query_params.get("q", "")[:200]
        data = await run_in_threadpool(project.board)
        return page("board.html", board=data, rows=views.filter_board(data, show, query),
                    counts=views.counts(data), show=show, query=query)

    async def version(request: Request) -> Response:
        video, lang = request.path_params["video"], request.path_params["lang"]
        view = await run_in_threadpool(project.version, video, lang)
        return page("version.html", view=view, languages=project.languages,
                    history=project.history(video, lang))

    async def deliveries(request: Request) -> Response:
        from pipeline.delivery.ledger import ledger

        rows = await run_in_threadpool(lambda: ledger(project.workspace()))
        return page("deliveries.html", rows=rows)

    async def media(request: Request) -> Response:
        path = safe_file(project.out, request.path_params["path"])
        return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix.lower()),
                            headers={"Cache-Control": "no-cache"})

    async def save_line(request: Request) -> Response:
        data = await _json_body(request)
        which = data.get("which", "target")
        if which not in ("target", "source", "captions"):
            raise EditRefused("'which' is 'target', 'source' or 'captions'")
        number = data.get("number")
        if not isinstance(number, int) or isinstance(number, bool):
            raise EditRefused("'number' must be a line number")
        saved = await run_in_threadpool(
            project.save_line, request.path_params["video"], request.path_params["lang"],
            which, number, start=_text(data, "start", False), end=_text(data, "end", False),
            text=_text(data, "text", False), expected_sha=_text(data, "sha") or "")
        return JSONResponse(saved.__dict__)

    async def rerun(request: Request) -> Response:
        await _json_body(request)
        job = jobs.start(request.path_params["video"], request.path_params["lang"])
        return JSONResponse(job.to_json(), status_code=202)

    async def job(request: Request) -> Response:
        since = request.query_params.get("since", "0")
        return JSONResponse(jobs.get(request.path_params["id"]).to_json(
            int(since) if since.isdigit() else 0))

    async def approval(request: Request) -> Response:
        data = await _json_body(request)
        try:
            decision = Decision(data.get("decision"))
        except ValueError:
            raise EditRefused("'decision' is 'approved' or 'changes_requested'") from None
        result = await run_in_threadpool(
            project.approve, request.path_params["video"], request.path_params["lang"],
            decision, _text(data, "reviewer") or "", _text(data, "note", False) or "",
            _text(data, "binding") or "")
        return JSONResponse(result.to_json())

    async def resolve(request: Request) -> Response:
        data = await _json_body(request)
        choices = data.get("choices")
        if not isinstance(choices, dict) or not all(
                CHOICE_KEY.match(str(k)) and v in ("keep", "take") for k, v in choices.items()):
            raise EditRefused("'choices' maps lines to 'keep' or 'take'")
        video, lang = request.path_params["video"], request.path_params["lang"]
        await run_in_threadpool(project.resolve_conflict, video, lang,
                                {str(k): str(v) for k, v in choices.items()},
                                _text(data, "token") or "")
        job = jobs.start(video, lang)  # the decision recorded: render the version with it
        return JSONResponse(job.to_json(), status_code=202)

    async def status(request: Request) -> Response:
        running = jobs.running()
        return JSONResponse({"busy": await run_in_threadpool(project.busy),
                             "running": running.to_json(len(running.events)) if running else None})

    async def review_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ReviewError)
        code = _status(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc), "kind": type(exc).__name__}, status_code=code)
        if isinstance(exc, NotFound):
            return HTMLResponse("<!doctype html><title>Not found</title><h1>Not found</h1>",
                                status_code=404)
        return HTMLResponse(views.render("error.html", csrf=settings.csrf, outputs="",
                                         busy=False, running=None, message=str(exc)),
                            status_code=code)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail, "kind": "http"}, status_code=exc.status_code)
        return HTMLResponse(f"<!doctype html><title>{exc.status_code}</title>",
                            status_code=exc.status_code)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        running = jobs.running()
        if running is not None:
            print(f"waiting for the rerun of {running.video}/{running.lang} to finish "
                  "(press Ctrl+C again to stop at once)", flush=True)
            await run_in_threadpool(jobs.wait)

    routes = [
        Route("/", board),
        Route("/v/{video}/{lang}", version),
        Route("/deliveries", deliveries),
        Route("/media/{path:path}", media, methods=["GET", "HEAD"]),
        Route("/api/v/{video}/{lang}/line", save_line, methods=["POST"]),
        Route("/api/v/{video}/{lang}/rerun", rerun, methods=["POST"]),
        Route("/api/v/{video}/{lang}/approval", approval, methods=["POST"]),
        Route("/api/v/{video}/{lang}/resolve", resolve, methods=["POST"]),
        Route("/api/jobs/{id}", job),
        Route("/api/status", status),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={ReviewError: review_error, HTTPException: http_error})
    app.state.project = project
    app.state.jobs = jobs
    app.add_middleware(Guard, settings=settings)
    return app

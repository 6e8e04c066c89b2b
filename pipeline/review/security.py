"""The review server's guard: who may talk to it, and which files it may serve.

- Listening on the loopback address, it answers only requests whose Host header names the
  loopback (a web page cannot rebind its own name to 127.0.0.1 and read the desk).
- Listening anywhere else, every request needs the server's token: `?token=` once (it then
  becomes an HttpOnly cookie and the URL loses it), the cookie, or an `X-Review-Token` /
  `Authorization: Bearer` header.
- Every POST carries the per-server CSRF secret in an `X-CSRF-Token` header.
- Files are served only from under the outputs folder: no `..`, no absolute path, no hidden
  component (.state, .pipeline, partial files), and no symlink that resolves outside.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from urllib.parse import urlencode

from starlette.datastructures import URL, Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.review.errors import NotFound
from pipeline.review.settings import LOCAL_HOSTS, Settings

TOKEN_COOKIE = "review_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def same_secret(given: str | None, expected: str | None) -> bool:
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _host_name(host_header: str) -> str:
    """The host of a Host header, without its port ("[::1]:8765" -> "::1")."""
    if host_header.startswith("["):
        return host_header[1:host_header.find("]")] if "]" in host_header else host_header
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def _refuse(scope: Scope, status: int, message: str) -> Response:
    if scope["path"].startswith("/api/"):
        return JSONResponse({"error": message, "kind": "refused"}, status_code=status)
    return PlainTextResponse(message + "\n", status_code=status)


class Guard:
    """ASGI middleware: host, token and CSRF checks, and security headers on every answer."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._check(scope)
        if refusal is not None:
            await refusal(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    def _check(self, scope: Scope) -> Response | None:
        headers = Headers(scope=scope)
        s = self.settings
        if s.needs_token:
            request = Request(scope)
            query_token = request.query_params.get("token")
            if same_secret(query_token, s.token) and scope["method"] in SAFE_METHODS:
                return self._token_redirect(request)
            bearer = headers.get("authorization", "")
            given = (headers.get("x-review-token")
                     or (bearer[7:] if bearer.lower().startswith("bearer ") else None)
                     or request.cookies.get(TOKEN_COOKIE))
            if not same_secret(given, s.token):
                return _refuse(scope, 401, "this review desk needs its token: open the URL "
                                           "`pipeline review` printed (it ends in ?token=...)")
        elif _host_name(headers.get("host", "")) not in LOCAL_HOSTS:
            return _refuse(scope, 403, "this review desk answers only requests to "
                                       "127.0.0.1 or localhost")
        if scope["method"] not in SAFE_METHODS and not same_secret(headers.get(CSRF_HEADER),
                                                                    s.csrf):
            return _refuse(scope, 403, "missing or wrong CSRF token: reload the page and "
                                       "try again")
        return None

    def _token_redirect(self, request: Request) -> Response:
        """Swap the token in the URL for a cookie, so it stays out of history and logs."""
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        url = URL(path=request.url.path, query=urlencode(kept))
        response = RedirectResponse(str(url), status_code=303)
        response.set_cookie(TOKEN_COOKIE, self.settings.token or "", httponly=True,
                            samesite="strict", path="/")
        return response

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        return wrapped


def safe_file(root: Path, relative: str) -> Path:
    """The file `relative` names under root, or NotFound: traversal, absolute paths, hidden
    components and symlinks leading outside all look like a file that is not there."""
    if not relative or "\x00" in relative or "\\" in relative:
        raise NotFound("no such file")
    parts = relative.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise NotFound("no such file")
    base = root.resolve()
    try:
        resolved = (base / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        raise NotFound("no such file") from None
    if not resolved.is_relative_to(base) or not resolved.is_file():
        raise NotFound("no such file")
    return resolved

"""The review desk as a user starts it (`pipeline review`, a separate process), and plain
HTTP requests to it that no client library normalizes."""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Desk:
    config: Path
    host: str = "127.0.0.1"
    port: int = 0
    proc: subprocess.Popen[str] | None = None
    url: str = ""
    token: str | None = None
    output: list[str] = field(default_factory=list)

    def start(self) -> Desk:
        self.port = self.port or free_port(self.host)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "review", "-c", str(self.config),
             "--host", self.host, "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        self.output.append(line)
        match = re.search(r"(http://\S+)", line)
        assert match, f"pipeline review printed {line!r}"
        self.url = match.group(1)
        token = re.search(r"\?token=(\S+)", self.url)
        self.token = token.group(1) if token else None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"pipeline review did not listen: {self.output}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None, raw_body: bytes | None = None) -> Response:
        """One request with `path` sent exactly as given (no normalization, no encoding)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        hdrs = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in hdrs.items():
                conn.putheader(k, v)
            if data is not None:
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            r = conn.getresponse()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def csrf(self) -> str:
        page = self.get("/", headers=self.auth())
        match = re.search(r'data-csrf="([^"]+)"', page.text)
        assert match, page.text[:500]
        return match.group(1)

    def auth(self) -> dict[str, str]:
        return {"X-Review-Token": self.token} if self.token else {}

    def post(self, path: str, body: Any, csrf: str | None = None) -> Response:
        headers = dict(self.auth())
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        return self.request("POST", path, body=body, headers=headers)

    def wait_job(self, job_id: str, timeout: float = 300) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/api/jobs/{job_id}", headers=self.auth()).json()
            if job["state"] != "running":
                return dict(job)
            time.sleep(0.3)
        raise TimeoutError(f"rerun {job_id} still running after {timeout} s")

    def __enter__(self) -> Desk:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sha256_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()

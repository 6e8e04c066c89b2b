"""How one review server runs: where, for which project, with which secrets."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_local(host: str) -> bool:
    return host in LOCAL_HOSTS


@dataclass(frozen=True)
class Settings:
    config_path: Path
    host: str = "127.0.0.1"
    port: int = 8765
    # required on every request when the server listens anywhere but the loopback address
    token: str | None = None
    # per-server secret every POST carries (a header the pages' script sends)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def needs_token(self) -> bool:
        return not is_local(self.host)

    def with_token(self) -> Settings:
        """These settings with a generated token when one is needed and none was given."""
        if self.needs_token and not self.token:
            return Settings(self.config_path, self.host, self.port, secrets.token_urlsafe(24),
                            self.csrf)
        return self

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        base = f"http://{host}:{self.port}/"
        return base + (f"?token={self.token}" if self.needs_token and self.token else "")

"""What each outlet received and what waits: read from the packages' receipts, the transfer
records beside them, and the approvals as they are now (the review desk's deliveries page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.cache import read_json, utc_stamp, write_json_atomic
from pipeline.delivery import approvals as ap
from pipeline.delivery.package import RECEIPT, outlet_profiles, package_dir, why_refused
from pipeline.workspace import Workspace


def sent_path(package: Path) -> Path:
    """Where a package's transfers are recorded (beside it: a new package replaces the folder)."""
    return package.with_name(f"{package.name}.sent.json")


def record_transfer(package: Path, remote: str) -> None:
    """The package as it is now (its receipt's plan) arrived at remote."""
    receipt = read_json(package / "data" / RECEIPT) or {}
    log = read_json(sent_path(package))
    sent = log if isinstance(log, dict) else {}
    sent[remote] = {"at": utc_stamp(), "plan": receipt.get("plan")}
    write_json_atomic(sent_path(package), sent)


@dataclass
class OutletVersion:
    outlet: str
    video: str
    lang: str
    files: dict[str, str] = field(default_factory=dict)  # name -> sha256, in the package
    approved_by: str | None = None
    draft: bool = False
    sent: list[str] = field(default_factory=list)  # "REMOTE at T" holding this package
    waits: str | None = None  # why it may not leave now (None: it may)


def ledger(ws: Workspace) -> list[OutletVersion]:
    """Every outlet x version: what its package holds, where that went, and what waits."""
    store = ap.load_store(ws.out)
    rows: list[OutletVersion] = []
    for name, outlet in ws.config.delivery.outlets.items():
        package = package_dir(ws, name)
        receipt = read_json(package / "data" / RECEIPT)
        receipt = receipt if isinstance(receipt, dict) else {}
        shas = {f["path"]: f["sha256"] for f in receipt.get("files", [])}
        log = read_json(sent_path(package))
        sent = [f"{remote} at {entry['at']}" for remote, entry in
                (log.items() if isinstance(log, dict) else [])
                if isinstance(entry, dict) and entry.get("plan") == receipt.get("plan")]
        packed: dict[tuple[str, str], dict[str, Any]] = {
            (v["video"], v["lang"]): v for v in receipt.get("versions", [])}
        profiles = outlet_profiles(ws, outlet)
        for video in ws.videos:
            for lang in outlet.languages or ws.config.languages:
                row = OutletVersion(name, video.name, lang)
                v = packed.get((video.name, lang))
                if v is not None:
                    row.files = {Path(rel).name: shas.get(rel, "") for rel in v["files"]
                                 if rel.endswith(".mp4")}
                    row.approved_by = v["approval"].get("by")
                    row.draft = not v["approval"].get("approved")
                    row.sent = sent
                row.waits = why_refused(ws, video.name, lang, profiles, store)
                rows.append(row)
    return rows

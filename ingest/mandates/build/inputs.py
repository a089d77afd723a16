"""The input files of a build: found in folders (recursively), checked before anything reads them.

Every file a build is given or finds is either built or named with the reason it was not:
an unknown kind of file, a symbolic link that loops, a named pipe or device, a file over the
size limit. Nothing here opens a file that is not a regular file, so a pipe cannot make a
build wait for ever, and a file's size is known before a byte of it is read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from mandates.core.files import not_a_regular_file
from mandates.extract.read import MAX_BYTES

#: the kinds of file a folder is searched for
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".doc")
HASH_CHUNK = 1 << 20


@dataclass
class Inputs:
    """What a build was given: the files to build, the files skipped with their reasons, and
    the paths that name nothing."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    missing: list[str] = field(default_factory=list)


def collect(paths: list[Path], *, recursive: bool = True, exclude: Path | None = None) -> Inputs:
    """The resolution files named by ``paths``, in a stable order: files as given (whatever their
    suffix), folders searched for :data:`SUFFIXES` (into sub-folders unless ``recursive`` is
    false). Hidden files and folders, and ``exclude`` (the build's own output folder), are not
    searched; every other file found is either taken or skipped with its reason."""
    found = Inputs()
    skip_dir = exclude.resolve() if exclude is not None and exclude.exists() else None
    for p in paths:
        if p.is_dir():
            _walk(p, found, recursive=recursive, seen=set(), above=(), exclude=skip_dir)
        elif p.exists() or p.is_symlink():
            found.files.append(p)
        else:
            found.missing.append(str(p))
    return found


def _walk(folder: Path, found: Inputs, *, recursive: bool, seen: set[Path], above: tuple[Path, ...],
          exclude: Path | None) -> None:
    real = folder.resolve()
    if real in above:
        found.skipped.append((str(folder), "a symbolic link to a folder it is in (a loop)"))
        return
    if real in seen:
        found.skipped.append((str(folder), "a folder already searched under another name (a symbolic link)"))
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        found.skipped.append((str(folder), f"folder cannot be read ({exc.strerror})"))
        return
    for f in entries:
        if f.name.startswith("."):
            continue
        if f.is_dir():
            if exclude is not None and f.resolve() == exclude:
                continue
            if recursive:
                _walk(f, found, recursive=recursive, seen=seen, above=(*above, real), exclude=exclude)
            else:
                found.skipped.append((str(f), "a sub-folder (folders are searched one level deep with --no-recursive)"))
        elif f.suffix.lower() in SUFFIXES:
            found.files.append(f)
        else:
            why = (f"not a resolution file ({f.suffix.lower()} is none of {', '.join(SUFFIXES)})" if f.suffix
                   else f"no file extension (a resolution file ends in one of {', '.join(SUFFIXES)})")
            found.skipped.append((str(f), why))


def file_hash(path: Path) -> str | None:
    """The sha256 of a regular file's bytes, read in chunks; None for anything that is not a
    regular file within the size limit (reading it reports why)."""
    if not_a_regular_file(path) is not None:
        return None
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        h = hashlib.sha256()
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(HASH_CHUNK), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None

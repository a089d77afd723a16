"""Files and folders written safely: atomic writes, folder swaps, the user's cache folder.

A reader of anything this package writes sees the old content or the new one, never half of
it. Standard library only.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import stat
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def swap_dir(new: Path, target: Path) -> None:
    """Put ``new`` in the place of ``target``: in one step where the system can exchange two
    names (Linux renameat2), else by moving the old one aside first."""
    if target.exists() and _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now names the old folder
        return
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    return renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def cache_dir() -> Path:
    """The user's cache folder for this tool (``$XDG_CACHE_HOME/un-mandates``, else
    ``~/.cache/un-mandates``): jieba's dictionary cache, the rjieba calibration, the
    vocabulary outputs."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative: ignored, as the XDG spec says
        base = str(Path.home() / ".cache")
    return Path(base) / "un-mandates"


def not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` (symbolic links followed) cannot be read as a file, or None when it can.

    >>> not_a_regular_file(Path("/dev/null"))
    'a character device, not a regular file'
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "no such file (or a broken symbolic link)"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    kind = next((name for test, name in kinds if test(mode)), "not a file")
    return f"{kind}, not a regular file"

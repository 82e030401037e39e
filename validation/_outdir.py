"""The one check of an ``--out`` directory shared by ``python -m validation`` and campaigns."""

from __future__ import annotations

import os

from asymptotics.errors import ParameterError


def make_dir(out: str) -> None:
    """Create the directory ``out`` (parents too) or raise a one-line :class:`ParameterError`."""
    if not out or not out.strip():
        raise ParameterError("`out` must name a directory; got ''.")
    if os.path.exists(out) and not os.path.isdir(out):
        raise ParameterError(f"`out` {out!r} exists and is not a directory; give a directory (it is created if missing).")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"`out` directory {out!r} cannot be created ({exc.strerror or type(exc).__name__}).") from None
    if not os.path.isdir(out):
        raise ParameterError(f"`out` {out!r} is not a directory.")

"""Campaign storage: ``campaign.json``, ``points.jsonl`` (one validated record per line), the lock.

Part of :mod:`validation.campaign` (which re-exports every name here); the module docstring
there describes resuming, the validation of saved lines and the ``flock`` on ``DIR/.lock``.
Non-finite numbers (an infinite z where the SE is 0) are written as the strings ``"inf"``,
``"-inf"``, ``"nan"``, so every JSON file is standard JSON.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import json
import math
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from asymptotics.errors import ParameterError

from ._outdir import make_dir

if TYPE_CHECKING:
    from .campaign import CampaignConfig

__all__ = ["CONFIG_FILE", "LOCK_FILE", "POINTS_FILE", "REJECTED_FILE", "REPORT_FILES"]


CONFIG_FILE, POINTS_FILE, REJECTED_FILE, LOCK_FILE = "campaign.json", "points.jsonl", "points.rejected.jsonl", ".lock"
REPORT_FILES = ("report.json", "report.csv", "report.png")


def _strict_json(obj: Any) -> Any:
    """Standard JSON everywhere (``points.jsonl`` and ``report.json``): a non-finite float (an
    infinite z where the SE is 0) is written as the string ``"inf"``, ``"-inf"`` or ``"nan"``."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _strict_json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_strict_json(v) for v in obj]
    return obj


def _revive(obj: Any, key: str = "") -> Any:
    """Inverse of :func:`_strict_json` for a saved record (parameter strings stay strings)."""
    if key == "params":
        return obj
    if isinstance(obj, str) and obj in ("inf", "-inf", "nan"):
        return float(obj)
    if isinstance(obj, dict):
        return {k: _revive(v, k) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_revive(v) for v in obj]
    return obj


def _dumps(obj: Any) -> str:
    return json.dumps(_strict_json(obj), allow_nan=False)


def _io_error(path: str, exc: OSError) -> ParameterError:
    return ParameterError(f"`out`: cannot write {path!r} ({exc.strerror or type(exc).__name__}).")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _record_problem(rec: Any, config: CampaignConfig, points: Sequence[dict[str, str]]) -> str | None:
    """Why a record read back from ``points.jsonl`` cannot be this campaign's, or None when it is.

    Every field that the summary and the reports read is checked: its type, its range, the point
    index (within the campaign's points), the parameters (those drawn for that index), the
    quantity, the sizes (the campaign's, in order) and the status with what it requires.
    """
    if not isinstance(rec, dict):
        return f"a record must be a JSON object, not {type(rec).__name__}"
    index = rec.get("index")
    if not _is_int(index) or not 0 <= index < len(points):
        return f"`index` must be an integer in [0, {len(points) - 1}]; got {index!r}"
    if rec.get("params") != points[index]:
        return f"`params` are not the parameters drawn for point {index}"
    if rec.get("quantity") != config.quantity:
        return f"`quantity` must be {config.quantity!r}; got {rec.get('quantity')!r}"
    if not isinstance(rec.get("pass"), bool):
        return "`pass` must be true or false"
    if "seconds" in rec and not (_is_real(rec["seconds"]) and rec["seconds"] >= 0):
        return "`seconds` must be a number ≥ 0"
    status = rec.get("status")
    if status == "error":
        if not isinstance(rec.get("error"), str) or rec["pass"]:
            return "an error record needs an `error` message and `pass` false"
        return None
    if status != "ok":
        return f"`status` must be 'ok' or 'error'; got {status!r}"
    rows = rec.get("sizes")
    if not isinstance(rows, list) or len(rows) != len(config.sizes):
        return f"`sizes` must list {len(config.sizes)} rows, one per size {','.join(map(str, config.sizes))}"
    for row, size in zip(rows, config.sizes, strict=True):
        if not isinstance(row, dict) or row.get("size") != size or isinstance(row.get("size"), bool):
            return f"the row for size {size} is missing or out of order"
        if not all(_is_int(row.get(k)) and row[k] >= 1 for k in ("n", "p")):
            return f"the row for size {size} needs integers `n`, `p` ≥ 1"
        if not all(_is_real(row.get(k)) for k in ("theory", "theory_point", "mean", "se", "z")):
            return f"the row for size {size} needs numbers `theory`, `theory_point`, `mean`, `se`, `z`"
        if not row["se"] >= 0:
            return f"the row for size {size} has `se` = {row['se']!r}; it must be ≥ 0"
    z = rec.get("z")
    if not _is_real(z) or not (z == rows[-1]["z"] or (math.isnan(z) and math.isnan(rows[-1]["z"]))):
        return "`z` must be the z of the largest size"
    trend = rec.get("trend")
    if len(rows) == 1:
        return None if trend is None else "`trend` must be null with one size"
    if not isinstance(trend, dict):
        return "`trend` must be an object with two or more sizes"
    gaps = trend.get("gaps")
    if not isinstance(gaps, list) or len(gaps) != len(rows) or not all(_is_real(g) for g in gaps):
        return "`trend.gaps` must hold one number per size"
    if trend.get("shrinking") not in (True, False, None):
        return "`trend.shrinking` must be true, false or null"
    if not all(_is_real(trend.get(k)) for k in ("extrapolated_gap", "extrapolated_se", "extrapolated_z")):
        return "`trend` needs numbers `extrapolated_gap`, `extrapolated_se`, `extrapolated_z`"
    return None


def _load_records(
    path: str, config: CampaignConfig, points: Sequence[dict[str, str]]
) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    """The valid records saved so far, and the lines that are not (nothing is lost).

    Each line is decoded (UTF-8), parsed (standard JSON) and validated (:func:`_record_problem`)
    on its own.  A line that fails is returned among the rejected ones with its line number, the
    reason and its text (``base64`` of the raw bytes when they are not UTF-8), so its point is
    recomputed.  A torn last line (a run killed mid-write: no final newline and not JSON) is
    rejected the same way, without a message.  When an index appears twice the later record
    (the newer run) is kept and the earlier one rejected.
    """
    done: dict[int, dict[str, Any]] = {}
    rejected: list[dict[str, Any]] = []
    if not os.path.exists(path):
        return done, rejected
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ParameterError(f"`out`: cannot read {path!r} ({exc.strerror or type(exc).__name__}).") from None
    lines = data.split(b"\n")
    last = len(lines) - 1  # the text after the final newline ("" when the file ends with one)
    where: dict[int, tuple[int, str]] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        entry: dict[str, Any] = {"line": number}
        try:
            text = raw.decode("utf-8")
            entry["text"] = text
            rec = _revive(json.loads(text, parse_constant=_no_constant))
            why = _record_problem(rec, config, points)
        except UnicodeDecodeError:
            entry["base64"], why = base64.b64encode(raw).decode("ascii"), "not UTF-8 text"
        except ValueError as exc:  # JSONDecodeError and non-standard constants
            why = f"not JSON ({exc})"
            if number - 1 == last:
                entry["torn"] = True
        if why is not None:
            rejected.append({**entry, "reason": why})
            continue
        i = rec["index"]
        if i in where:
            rejected.append({"line": where[i][0], "text": where[i][1], "reason": f"superseded by line {number} (point {i})"})
        done[i], where[i] = rec, (number, entry["text"])
    return done, rejected


def _no_constant(name: str) -> Any:
    raise ValueError(f"non-standard constant {name}")


def _write_atomic(path: str, text: str) -> None:
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise _io_error(path, exc) from None


def _set_aside(out: str, rejected: list[dict[str, Any]]) -> None:
    """Append the rejected lines to ``points.rejected.jsonl`` (fsynced) and say so on stderr, one
    line each (a torn last line quietly: an interrupted run leaves one by design)."""
    path = os.path.join(out, REJECTED_FILE)
    try:
        with open(path, "a", encoding="utf-8") as fh:
            for entry in rejected:
                fh.write(json.dumps({"file": POINTS_FILE, **entry}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise _io_error(path, exc) from None
    for entry in rejected:
        if not entry.get("torn"):
            reason = " ".join(entry["reason"].split())
            print(
                f"validation: warning: {os.path.join(out, POINTS_FILE)} line {entry['line']}: {reason}; "
                f"moved to {REJECTED_FILE}, its point will be recomputed",
                file=sys.stderr,
            )


def _saved_config(saved: Any) -> dict[str, Any] | None:
    """The saved ``config``; one written before designs existed has no ``design``: hypothesis drew it."""
    if not isinstance(saved, dict) or not isinstance(saved.get("config"), dict):
        return None
    return {"design": "hypothesis", **saved["config"]}


def _differences(saved: Any, wanted: dict[str, Any]) -> str:
    if not isinstance(saved, dict):
        return "its campaign.json is unreadable"
    old = _saved_config(saved) or {}
    diffs = [f"{k}: saved {old.get(k)!r}, now {v!r}" for k, v in wanted["config"].items() if old.get(k) != v]
    if not diffs and saved.get("points") != wanted["points"]:
        engine = "hypothesis" if wanted["config"].get("design") == "hypothesis" else "scipy"
        was, now = saved.get(engine), wanted.get(engine)
        why = f" ({engine} {was} drew them, this is {now})" if was != now else ""
        diffs.append(f"the drawn points differ{why}")
    return "; ".join(diffs) or "its saved configuration differs"


@contextlib.contextmanager
def _locked(out: str | None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``out/.lock`` for the whole run.

    A second campaign on the same directory (another process, or another call in this one) is
    refused at once.  The lock belongs to the open file, so it disappears with the process that
    holds it: a run that was killed never leaves a stale lock behind, and the lock file itself
    is never deleted (deleting it would let two runs lock two different files).  Where ``flock``
    is not available (not POSIX) or not supported by the filesystem, the run goes on unlocked
    and says so on stderr.
    """
    if out is None:
        yield
        return
    make_dir(out)
    path = os.path.join(out, LOCK_FILE)
    try:
        fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - held open for the whole run
    except OSError as exc:
        raise _io_error(path, exc) from None
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            print(f"validation: warning: no file locking here; do not run two campaigns on {out!r} at once", file=sys.stderr)
        else:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise ParameterError(
                        f"`out` directory {out!r} is in use by another campaign (it holds the lock on {LOCK_FILE}); "
                        "wait for that run to finish, or choose another --out."
                    ) from None
                print(
                    f"validation: warning: cannot lock {path!r} ({exc.strerror}); do not run two campaigns on it at once",
                    file=sys.stderr,
                )
        yield
    finally:
        fh.close()  # releases the lock


def _prepare_dir(out: str, config: CampaignConfig, points: list[dict[str, str]], fresh: bool) -> dict[int, dict[str, Any]]:
    """Check or create ``out`` and return the records already saved there.

    Nothing saved is deleted: ``fresh`` moves an old ``points.jsonl`` to ``points.jsonl.bak``
    (replacing an older backup), and a ``points.jsonl`` without its ``campaign.json`` is refused.
    """
    make_dir(out)
    cfg_path, pts_path = os.path.join(out, CONFIG_FILE), os.path.join(out, POINTS_FILE)
    wanted = {"config": config.to_dict(), "hypothesis": _version("hypothesis"), "scipy": _version("scipy"), "points": points}
    has_cfg, has_pts = os.path.exists(cfg_path), os.path.exists(pts_path)
    if not fresh and has_cfg:
        try:
            with open(cfg_path, encoding="utf-8") as fh:
                saved = json.load(fh)
        except (OSError, json.JSONDecodeError, UnicodeDecodeError):
            saved = None
        same = _saved_config(saved) == wanted["config"] and saved.get("points") == points
        if same and "design" not in saved["config"]:
            print(
                f"validation: note: {cfg_path} has no `design` (saved before designs existed): its points were drawn "
                "by hypothesis, and the campaign resumes with --design hypothesis",
                file=sys.stderr,
            )
        if not same:
            raise ParameterError(
                f"`out` directory {out!r} holds a different campaign ({_differences(saved, wanted)}); resume it with the "
                "same options, pass --fresh (fresh=True) to start over (the old points.jsonl is kept as points.jsonl.bak), "
                "or choose another --out."
            )
        done, rejected = _load_records(pts_path, config, points)
        if rejected:  # keep the bad lines aside, then rewrite without them before appending
            _set_aside(out, rejected)
            _write_atomic(pts_path, "".join(_dumps(done[i]) + "\n" for i in sorted(done)))
        return done
    if not fresh and has_pts:
        raise ParameterError(
            f"`out` directory {out!r} holds {POINTS_FILE} but no {CONFIG_FILE}, so its points cannot be matched to a "
            "configuration; pass --fresh (fresh=True) to start over (the old file is kept as points.jsonl.bak), "
            "or choose another --out."
        )
    try:
        if has_pts:
            os.replace(pts_path, pts_path + ".bak")
        for name in REPORT_FILES:  # stale reports of the old campaign
            if os.path.isfile(os.path.join(out, name)):
                os.remove(os.path.join(out, name))
    except OSError as exc:
        raise _io_error(out, exc) from None
    _write_atomic(cfg_path, json.dumps(wanted, indent=1))
    return {}


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"

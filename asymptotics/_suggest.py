"""``did you mean …?``: the close matches of a misspelled name (models, quantities, parameters, commands).

Used by the registry's error messages and the CLI; :mod:`difflib` is imported only when a name
is unknown, so start-up does not pay for it.
"""

from __future__ import annotations

from collections.abc import Iterable

CUTOFF = 0.6
"""Minimum :class:`difflib.SequenceMatcher` ratio of a suggestion (``rdige`` → ``ridge`` is 0.8)."""


def close_matches(word: str, candidates: Iterable[str], n: int = 1) -> list[str]:
    """The at most ``n`` candidates closest to ``word`` (case-insensitive), best first; ``[]`` when none is close.

    Parameters
    ----------
    word : str
        The unknown name as the user typed it.
    candidates : iterable of str
        The valid names (duplicates are ignored).
    n : int, optional
        How many suggestions at most (default 1).

    Returns
    -------
    list of str
        The suggestions, spelled as in ``candidates``; empty for garbage or an empty ``word``.

    Examples
    --------
    >>> close_matches("rdige", ["mp", "ridge", "rf"])
    ['ridge']
    >>> close_matches("xyzzy", ["mp", "ridge", "rf"])
    []
    """
    if not isinstance(word, str) or not word:
        return []
    import difflib

    by_lower: dict[str, str] = {}
    for c in candidates:
        if isinstance(c, str) and c:
            by_lower.setdefault(c.lower(), c)
    key = word.lower()
    if key in by_lower and by_lower[key] != word:  # only the case differs: `Ridge` → 'ridge'
        return [by_lower[key]]
    found = difflib.get_close_matches(key, list(by_lower), n=n, cutoff=CUTOFF)
    return [by_lower[f] for f in found if by_lower[f] != word]


def did_you_mean(word: str, candidates: Iterable[str], quote: str = "'") -> str:
    """``"did you mean 'ridge'? "`` (with a trailing space) or ``""`` when nothing is close.

    Parameters
    ----------
    word : str
        The unknown name.
    candidates : iterable of str
        The valid names.
    quote : str, optional
        ``"'"`` (default) for model, quantity and command names; ``"`"`` for parameter names.

    Returns
    -------
    str
        The phrase to put before the list of valid names, or the empty string.

    Examples
    --------
    >>> did_you_mean("gamam", ["gamma", "lam"], quote="`")
    'did you mean `gamma`? '
    >>> did_you_mean("zzz", ["gamma", "lam"])
    ''
    """
    found = close_matches(word, candidates)
    return f"did you mean {quote}{found[0]}{quote}? " if found else ""


__all__ = ["close_matches", "did_you_mean"]

import mpmath


def ae(a, b, digits):
    """Relative agreement of ``a`` and ``b`` to ``digits`` significant digits."""
    a, b = mpmath.mpmathify(a), mpmath.mpmathify(b)
    return abs(a - b) <= mpmath.mpf(10) ** (-digits) * max(abs(b), mpmath.mpf(10) ** -300)

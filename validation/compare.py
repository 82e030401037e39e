r"""Monte Carlo estimates and their honest comparison with the theory.

A simulation returns an :class:`MCEstimate`: the per-replicate values of a statistic (one
row per independent replicate), their mean and the standard error of the mean

.. math:: \mathrm{SE} = \frac{\operatorname{std}_{\rm ddof=1}(\text{samples})}{\sqrt{\text{reps}}} .

:func:`compare` turns a theoretical value and the samples into a z-score
``z = (mean − theory)/SE``; agreement means ``|z| ≤ threshold``.  The tolerance therefore
always comes from the spread of the replicates, never from a hand-tuned ``rtol``.

A z-score tests *the limit* only when the finite-size bias is below the SE.  It is not
always (docs/validation.md, 'Finite-size trends'): near the interpolation threshold the ridgeless risk
of a Gaussian design has finite-``n`` mean ``σ²p/(n−p−1)``, above the ``n → ∞`` limit
``σ²γ/(1−γ)`` by ``O(1/(n−p))``.  Two honest remedies are provided:
:func:`gaussian_ridgeless_exact` (exact finite-``n`` expectations from inverse-Wishart
means) and :func:`finite_size_trend` (the gap to the limit must shrink as ``n`` grows).

References
----------
Hastie, Montanari, Rosset & Tibshirani (arXiv 1903.08560), isotropic ridgeless risk;
Muirhead, *Aspects of Multivariate Statistical Theory* (1982), Thm 3.2.12 (mean of the
inverse Wishart, ``E W⁻¹ = I/(m − k − 1)`` for ``W ~ W_k(m, I)``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from asymptotics._validate import check_int, check_real
from asymptotics.errors import ParameterError

DEFAULT_THRESHOLD = 3.5
"""Default ``|z|`` bound of :func:`compare` (two-sided false-alarm rate ≈ 4.7e-4): one comparison
that must agree on its own (a test asserting a single z)."""
CAMPAIGN_THRESHOLD = 3.0
"""Default ``|z|`` bound of a size-aware check: the "every gap within noise" clause of
:func:`finite_size_trend` and the pass rule of a validation campaign
(:data:`validation.campaign.DEFAULT_THRESHOLD`, ``--threshold``).  Lower than
:data:`DEFAULT_THRESHOLD` because these checks give a point a second chance (the ``O(1/size)``
extrapolation, or the trend): the campaign's pass rule is ``|z| ≤ 3`` at the largest size *or*
for the extrapolated gap.  It stays 3 because it is part of the campaigns' output: it is saved in
``campaign.json`` (a different value refuses to resume an existing directory) and sets
``share_within``, ``expected_share_within`` and ``pass`` in ``report.json``."""


# ----------------------------------------------------------------------------- estimates
def standard_error(samples: np.ndarray) -> np.ndarray:
    """Standard error of the mean along axis 0: ``std(ddof=1)/√reps``.

    For complex samples the real and imaginary parts get their own SE, returned as
    ``se_re + 1j·se_im``.  With a single replicate the SE is NaN (no spread to measure).
    """
    samples = np.asarray(samples)
    reps = samples.shape[0]
    if np.iscomplexobj(samples):
        return standard_error(samples.real) + 1j * standard_error(samples.imag)
    if reps < 2:
        return np.full(samples.shape[1:], np.nan)
    return np.std(samples, axis=0, ddof=1) / math.sqrt(reps)


@dataclass(frozen=True)
class MCEstimate:
    """Per-replicate values of one Monte Carlo statistic.

    Attributes
    ----------
    quantity : str
        What was measured (``"risk"``, ``"stieltjes"``...).
    samples : numpy.ndarray
        Shape ``(reps, *points.shape)``: row ``r`` is replicate ``r``.
    n, p : int
        Samples and features of the simulated design.
    seed : int
        Root seed; replicate ``r`` used ``SeedSequence(seed).spawn(reps)[r]``.
    params : dict[str, str]
        The model parameters (exact strings) plus the design and mode of the run.
    points : numpy.ndarray or None
        The grid the trailing axes of ``samples`` run over (``λ``, ``x`` or ``z`` values);
        ``None`` for a scalar statistic.
    """

    quantity: str
    samples: np.ndarray
    n: int
    p: int
    seed: int
    params: Mapping[str, str] = field(default_factory=dict)
    points: np.ndarray | None = None

    @property
    def reps(self) -> int:
        """Number of independent replicates."""
        return int(self.samples.shape[0])

    @property
    def mean(self) -> Any:
        """Monte Carlo mean (array of the points' shape, or a scalar)."""
        return self.samples.mean(axis=0)

    @property
    def se(self) -> Any:
        """Standard error of :attr:`mean` (see :func:`standard_error`)."""
        return standard_error(self.samples)

    def __repr__(self) -> str:  # compact: the samples array can be large
        mean, se = np.asarray(self.mean), np.asarray(self.se)
        shown = f"{mean.item():.6g} ± {se.item():.2g}" if mean.ndim == 0 else f"array of shape {mean.shape}"
        return f"MCEstimate({self.quantity}: {shown}; reps={self.reps}, n={self.n}, p={self.p}, seed={self.seed})"


# ----------------------------------------------------------------------------- comparison
@dataclass(frozen=True)
class Comparison:
    """Theory against a Monte Carlo mean.

    ``z = (mean − theory)/se``; ``agree`` is ``|z| ≤ threshold`` (elementwise for arrays).
    Where ``se = 0`` (a statistic that does not fluctuate, e.g. the ridgeless training
    error for ``p < n``) ``z`` is 0 if mean and theory agree to rounding and ``±inf``
    otherwise.
    """

    theory: Any
    mean: Any
    se: Any
    z: Any
    reps: int
    threshold: float
    agree: Any

    def __bool__(self) -> bool:
        return bool(np.all(self.agree))

    def __str__(self) -> str:
        if np.ndim(self.z) == 0:
            verdict = "agree" if self.agree else "DISAGREE"
            mc = f"MC {float(self.mean):.10g} ± {float(self.se):.2g} (reps={self.reps})"
            return f"theory {float(self.theory):.10g}, {mc}: z = {float(self.z):+.2f} → {verdict}"
        worst = float(np.max(np.abs(self.z)))
        agree = f"{int(np.sum(self.agree))} agree (|z| ≤ {self.threshold:g})"
        return f"{np.size(self.z)} points, reps={self.reps}: max |z| = {worst:.2f}, {agree}"


def _samples_array(samples: Any) -> np.ndarray:
    if isinstance(samples, MCEstimate):
        samples = samples.samples
    try:
        arr = np.asarray(samples)
    except (TypeError, ValueError):
        raise ParameterError(
            f"`samples` must be an array of numbers with replicates along axis 0; got {type(samples).__name__}."
        ) from None
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise ParameterError(f"`samples` must be numeric; got dtype {arr.dtype}.")
    if np.iscomplexobj(arr):
        raise ParameterError("`samples` must be real; compare the real and imaginary parts separately.")
    if arr.ndim == 0 or arr.shape[0] < 2:
        got = 0 if arr.ndim == 0 else arr.shape[0]
        raise ParameterError(f"`samples` must hold at least 2 replicates along axis 0 (reps ≥ 2) to estimate an SE; got {got}.")
    if not np.all(np.isfinite(arr)):
        raise ParameterError("`samples` must be finite; got NaN or inf (a diverging statistic has no standard error).")
    return arr.astype(float, copy=False)


def compare(theory: Any, samples: Any, *, threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    r"""Compare a theoretical value with Monte Carlo samples through a z-score.

    Parameters
    ----------
    theory : float or array_like
        The predicted mean (broadcast against the points of ``samples``).  ``±inf`` is
        allowed (it never agrees); NaN is not.
    samples : array_like or MCEstimate
        Real per-replicate values, replicates along axis 0 (at least 2).
    threshold : float, keyword-only
        Agreement bound on ``|z|`` (default 3.5).

    Returns
    -------
    Comparison
        ``z = (mean − theory)/SE`` with ``SE = std(ddof=1)/√reps``.

    Raises
    ------
    ParameterError
        Fewer than 2 replicates, NaN/inf or complex samples, NaN theory, ``threshold ≤ 0``.

    Examples
    --------
    >>> import numpy as np
    >>> c = compare(0.0, np.array([-1.0, 1.0, -1.0, 1.0]))   # mean 0, SE = 1.1547/2
    >>> float(c.z), bool(c)
    (0.0, True)
    """
    thr = float(check_real("threshold", threshold, low=0, low_open=True))
    arr = _samples_array(samples)
    mean = arr.mean(axis=0)
    se = standard_error(arr)
    try:
        th = np.asarray(theory, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"`theory` must be a real number or array; got {theory!r}.") from None
    if np.any(np.isnan(th)):
        raise ParameterError("`theory` must not be NaN.")
    try:
        th, mean_b, se_b = np.broadcast_arrays(th, mean, se)
    except ValueError:
        raise ParameterError(
            f"`theory` of shape {np.shape(theory)} does not broadcast against the samples' points {mean.shape}."
        ) from None
    gap = mean_b - th
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se_b > 0, gap / np.where(se_b > 0, se_b, 1.0), 0.0)
    rounding = 8 * np.finfo(float).eps * np.maximum(np.abs(mean_b), np.where(np.isfinite(th), np.abs(th), 0.0))
    frozen = (se_b == 0) & ~(np.abs(gap) <= rounding)
    z = np.where(frozen, np.copysign(np.inf, gap), z)
    z = np.where(np.isinf(th), -np.copysign(np.inf, th), z)
    agree = np.abs(z) <= thr

    def out(a: np.ndarray) -> Any:
        return a.item() if a.ndim == 0 else a

    return Comparison(out(th), out(mean_b), out(se_b), out(z), arr.shape[0], thr, out(agree))


# ----------------------------------------------------------------------------- finite size
@dataclass(frozen=True)
class FiniteSizeTrend:
    """The gap between Monte Carlo and theory at increasing sizes.

    Attributes
    ----------
    sizes, features : tuple[int, ...]
        ``n`` and ``p`` of each estimate, increasing in ``n``.
    theory, means, gaps, ses, z : numpy.ndarray
        Theory used at each size, MC means, ``gaps = means − theory``, their SEs and
        ``z = gaps/ses``.
    shrinking : bool
        ``|gap|`` strictly decreases with size, **or** every gap is within
        ``threshold`` SEs.  The first clause alone is weak evidence when the gaps are
        comparable to their SEs (two noisy gaps are in decreasing order half of the
        time): read it together with ``z``.
    extrapolated, extrapolated_se : float
        Richardson extrapolation of the last two sizes assuming an ``O(1/n)`` bias,
        ``(n₂ m₂ − n₁ m₁)/(n₂ − n₁)``, and its SE.
    threshold : float
        The ``|z|`` bound used for the second clause.
    """

    sizes: tuple[int, ...]
    features: tuple[int, ...]
    theory: np.ndarray
    means: np.ndarray
    gaps: np.ndarray
    ses: np.ndarray
    z: np.ndarray
    shrinking: bool
    extrapolated: float
    extrapolated_se: float
    threshold: float

    @property
    def extrapolated_z(self) -> float:
        """``(extrapolated − theory[-1]) / extrapolated_se``: meaningful when ``theory`` is the ``n → ∞`` limit."""
        return float((self.extrapolated - self.theory[-1]) / self.extrapolated_se)

    def __bool__(self) -> bool:
        return self.shrinking


def finite_size_trend(
    theory: float | Sequence[float] | Callable[[int, int], float],
    estimates: Sequence[MCEstimate],
    *,
    threshold: float = CAMPAIGN_THRESHOLD,
) -> FiniteSizeTrend:
    """Check that the Monte Carlo gap to the theory shrinks as the size grows.

    Parameters
    ----------
    theory : float, sequence of float, or callable ``(n, p) -> float``
        The theory at each size: one value for all (an ``n → ∞`` limit), one value per
        estimate, or a function of the simulated ``(n, p)`` (e.g. a finite-``n`` formula).
    estimates : sequence of MCEstimate
        Scalar estimates at strictly increasing ``n`` (at least 2), e.g. ``n, 2n, 4n``.
    threshold : float, keyword-only
        SE multiple for the "every gap is within noise" clause (default 3).

    Returns
    -------
    FiniteSizeTrend

    Raises
    ------
    ParameterError
        Fewer than 2 estimates, sizes not increasing, non-scalar estimates, fewer than 2
        replicates, or a theory of the wrong length.
    """
    thr = float(check_real("threshold", threshold, low=0, low_open=True))
    ests = list(estimates)
    if len(ests) < 2:
        raise ParameterError(f"`estimates` must hold at least 2 sizes; got {len(ests)}.")
    for e in ests:
        if not isinstance(e, MCEstimate):
            raise ParameterError(f"`estimates` must be MCEstimate objects; got {type(e).__name__}.")
        if np.ndim(e.mean) != 0:
            raise ParameterError(f"`estimates` must be scalar statistics; got points of shape {np.shape(e.mean)}.")
        _samples_array(e.samples)
    sizes = tuple(e.n for e in ests)
    if any(b <= a for a, b in zip(sizes, sizes[1:], strict=False)):
        raise ParameterError(f"`estimates` must be ordered by strictly increasing n; got sizes {sizes}.")
    try:
        if callable(theory):
            th = np.array([float(theory(e.n, e.p)) for e in ests])
        else:
            th = (
                np.broadcast_to(np.asarray(theory, dtype=float), (len(ests),)).copy()
                if np.ndim(theory) == 0
                else np.asarray(theory, dtype=float)
            )
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(
            f"`theory` must be real numbers (one, or one per estimate) or a function (n, p) -> real; got {theory!r}."
        ) from None
    if not callable(theory):
        if th.shape != (len(ests),):
            raise ParameterError(f"`theory` must be one value or one per estimate ({len(ests)}); got {th.size} values.")
    if np.any(np.isnan(th)):
        raise ParameterError("`theory` must not be NaN.")
    means = np.array([float(e.mean) for e in ests])
    ses = np.array([float(e.se) for e in ests])
    gaps = means - th
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(ses > 0, gaps / np.where(ses > 0, ses, 1.0), np.where(gaps == 0, 0.0, np.copysign(np.inf, gaps)))
    decreasing = bool(np.all(np.abs(gaps[1:]) < np.abs(gaps[:-1])))
    within = bool(np.all(np.abs(z) <= thr))
    n1, n2 = sizes[-2], sizes[-1]
    m1, m2 = means[-2], means[-1]
    extrap = (n2 * m2 - n1 * m1) / (n2 - n1)
    extrap_se = math.hypot(n2 * ses[-1], n1 * ses[-2]) / (n2 - n1)
    return FiniteSizeTrend(
        sizes, tuple(e.p for e in ests), th, means, gaps, ses, z, decreasing or within, float(extrap), float(extrap_se), thr
    )


# ----------------------------------------------------------------------------- exact finite n
def gaussian_ridgeless_exact(n: int, p: int, *, r2: Any = 1, sigma2: Any = 1, tau2: Any = 0) -> dict[str, float]:
    r"""Exact finite-``n`` expectations of the ridgeless (``λ = 0``) estimator, Gaussian design.

    ``X`` has i.i.d. ``N(0, 1)`` entries (``Σ = I``), ``‖β‖² = r²``, noise variance
    ``σ² + τ²`` (``τ²``: unobserved misspecification energy, added to the risk).  With
    ``W = XᵀX ~ W_p(n, I)`` and ``E W⁻¹ = I/(n − p − 1)`` (Muirhead 1982, Thm 3.2.12):

    .. math::

        \mathbb E R = \begin{cases}
          (\sigma^2+\tau^2)\dfrac{p}{n-p-1} + \tau^2, & p < n - 1,\\[2mm]
          r^2\Big(1-\dfrac np\Big) + (\sigma^2+\tau^2)\dfrac{n}{p-n-1} + \tau^2, & p > n + 1,
        \end{cases}

    (for ``p > n`` the row space of ``X`` is a uniformly random ``n``-dimensional subspace,
    so ``E‖P_null β‖² = r²(1 − n/p)``, and ``XXᵀ ~ W_n(p, I)``), and ``+inf`` for
    ``|n − p| ≤ 1``.  The training error is exactly ``(σ²+τ²)(n − p)/n`` for ``p < n`` and 0
    for ``p ≥ n``.  Limits: ``σ²γ/(1−γ)`` and ``r²(1−1/γ) + σ²/(γ−1)`` (docs/models/ridge.md, 'Derivation').

    Parameters
    ----------
    n, p : int
        Samples and features (``≥ 1``).
    r2, sigma2, tau2 : real, keyword-only
        Signal energy, noise variance, misspecification energy (``≥ 0``).

    Returns
    -------
    dict
        ``{"risk", "bias", "variance", "train_error"}`` as floats.

    Examples
    --------
    >>> gaussian_ridgeless_exact(1000, 900, sigma2=0.25)["risk"]   # σ²p/(n−p−1); limit 2.25
    2.272727272727273
    """
    nn, pp = check_int("n", n, low=1), check_int("p", p, low=1)
    r2_, s2, t2 = (float(check_real(k, v, low=0)) for k, v in (("r2", r2), ("sigma2", sigma2), ("tau2", tau2)))
    noise = s2 + t2
    if pp < nn - 1:
        bias, variance = 0.0, noise * pp / (nn - pp - 1)
    elif pp > nn + 1:
        bias, variance = r2_ * (1 - nn / pp), noise * nn / (pp - nn - 1)
    else:
        bias = r2_ * (1 - nn / pp) if pp > nn else 0.0
        variance = math.inf if noise > 0 else 0.0
    train = noise * (nn - pp) / nn if pp < nn else 0.0
    return {"risk": bias + variance + t2, "bias": bias, "variance": variance, "train_error": train}

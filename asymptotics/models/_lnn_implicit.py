r"""Implicit regularization beyond norms: the 2×2 counterexample and CP tensor factorization.

Two quantities of the ``lnn`` model (docs/models/lnn.md, 'Norms cannot explain it' and 'Tensor
factorization'); the simulations are in :mod:`validation.simulators._lnn_implicit`.

Norms cannot explain it (Razin & Cohen 2020, arXiv 2005.06398)
---------------------------------------------------------------
2×2 completion with observed ``W₁₂ = W₂₁ = 1``, ``W₂₂ = 0`` and loss
``ℓ(W) = ½[(W₁₂ − 1)² + (W₂₁ − 1)² + W₂₂²]``.  Every global minimizer has ``det W = −1``; gradient
flow on a depth-``N ≥ 2`` factorization keeps the sign of ``det W`` (from ``det W(0) > 0`` it stays
positive), and ``det W > 0`` means ``W₁₁W₂₂ > W₁₂W₂₁``.  With ``r = √(2ℓ)`` the loss confines
``(1 − W₁₂, 1 − W₂₁, W₂₂)`` to the ball of radius ``r``; minimizing ``W₁₂W₂₁/|W₂₂|`` over that ball
gives the sharp loss-only bound (:func:`norm_bound`, derivation in the docs)

.. math:: |W_{11}| > B(\ell) = \begin{cases} (1-u)^{3/2}u^{-1/2},\ u = \tfrac{\sqrt{1+8\ell}-1}{2}, & \ell \le 3/8,\\
          \sqrt{1-2\ell}, & 3/8 \le \ell < 1/2,\\ 0, & \ell \ge 1/2,\end{cases}

``B(ℓ) = (2ℓ)^{−1/2} − (2ℓ)^{1/2} + O(ℓ^{3/2})`` as ``ℓ → 0``.  Every Schatten-``p`` (quasi-)norm,
``0 < p ≤ ∞``, is at least the spectral norm, which is at least ``|W₁₁|``: all of them exceed ``B(ℓ)``.

Tensor factorization (Razin, Maman & Cohen 2021, arXiv 2102.09972)
------------------------------------------------------------------
A CP factorization ``W = Σ_r w_r^{(1)} ⊗ ⋯ ⊗ w_r^{(N)}`` trained by gradient flow on ``ℓ(W)``.
Each component's squared factor norms move together (``d/dt ‖w_r^{(n)}‖² = −2⟨∇ℓ(W), W_r⟩`` for every
``n``), so a balanced component stays balanced and its norm ``σ_r = ‖W_r‖ = Π_n ‖w_r^{(n)}‖`` obeys

.. math:: \dot\sigma_r = N\,\sigma_r^{2-2/N}\,\langle -\nabla\ell(W),\,\widehat W_r\rangle,

the singular-value equation of a depth-``N`` linear network (``singular_value_rate``).  With
``|⟨∇ℓ, Ŵ_r⟩| ≤ G`` the time to grow from ``σ₀`` to ``σ₁`` is at least (:func:`growth_time_bound`)
``(σ₁ − σ₀)/G`` (``N = 1``), ``ln(σ₁/σ₀)/(2G)`` (``N = 2``), ``(σ₀^{−(1−2/N)} − σ₁^{−(1−2/N)})/((N − 2)G)``
(``N ≥ 3``): small components stay small for a time that grows like a power of ``1/σ₀`` when
``N ≥ 3``, the mechanism of incremental (one component at a time) tensor-rank learning.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .._types import IntLike, Real
from .._validate import check_int, check_real, shown_params, to_mpf
from ..backend import MP, Backend
from ..errors import ParameterError
from ..precision import DEFAULT_DPS, certify
from ..references import Source
from ..result import Result

NAME = "lnn"
MAX_DEPTH = 10_000

RAZIN_COHEN_2020 = Source(
    "N. Razin, N. Cohen",
    "Implicit Regularization in Deep Learning May Not Be Explainable by Norms",
    2020,
    arxiv="2005.06398",
    journal="NeurIPS 2020",
)
RAZIN_MAMAN_COHEN_2021 = Source(
    "N. Razin, A. Maman, N. Cohen",
    "Implicit Regularization in Tensor Factorization",
    2021,
    arxiv="2102.09972",
    journal="ICML 2021",
)

_THREE_EIGHTHS = Fraction(3, 8)
_HALF = Fraction(1, 2)


def _num(B: Backend, x: Any) -> Any:
    return B.num(x) if isinstance(x, Fraction | int) else x


def norm_bound(loss: Fraction, B: Backend = MP) -> Any:
    """``B(ℓ)``: the sharp lower bound on ``|W₁₁|`` (hence on every Schatten (quasi-)norm) given ``det W > 0``.

    ``loss`` is exact (the branch ``ℓ ≤ 3/8`` is decided exactly); the value is a number of ``B``.
    """
    if loss >= _HALF:
        return B.num(0)
    if loss >= _THREE_EIGHTHS:
        return B.sqrt(B.num(1 - 2 * loss))
    # u = (√(1 + 8ℓ) − 1)/2 = 4ℓ/(1 + √(1 + 8ℓ)): no cancellation for small ℓ
    u = B.num(4 * loss) / (1 + B.sqrt(B.num(1 + 8 * loss)))
    w = 1 - u
    return w * B.sqrt(w / u)


def growth_time(init: Any, sigma: Any, grad: Any, depth: int, B: Backend = MP) -> Any:
    """``∫_{σ₀}^{σ₁} dσ/(N G σ^{2−2/N})``: the time for ``σ̇ = N σ^{2−2/N} G`` to go from ``init`` to ``sigma``."""
    if depth == 1:
        return _num(B, sigma - init) / _num(B, grad)
    if depth == 2:
        return B.log(_num(B, sigma) / _num(B, init)) / (2 * _num(B, grad))
    a = B.num(Fraction(2, depth)) - 1  # −(1 − 2/N)
    return (_num(B, init) ** a - _num(B, sigma) ** a) / ((depth - 2) * _num(B, grad))


def _result(quantity: str, fn: Any, proof: Any, shown: dict[str, str], dps: int, source: Source) -> Result:
    c = certify(lambda: (fn(), None), dps, what=f"lnn {quantity}", params=shown, range_guard=False, prove=lambda: (proof(), None))
    return Result(c.value, NAME, quantity, shown, dps, None, c.error_estimate, None, source, **c.proof_fields())


def norm_lower_bound(loss: Real | None = None, *, dps: int = DEFAULT_DPS) -> Result:
    r"""Lower bound on ``|W₁₁|`` and on every Schatten-``p`` (quasi-)norm of the 2×2 problem at loss ``ℓ``.

    Razin & Cohen (2020, §3): with observations ``W₁₂ = W₂₁ = 1``, ``W₂₂ = 0``, loss
    ``ℓ = ½[(W₁₂−1)² + (W₂₁−1)² + W₂₂²]`` and ``det W > 0`` (kept by gradient flow from a positive
    start), ``|W₁₁| > B(ℓ)`` with ``B(ℓ) = (1−u)^{3/2}u^{−1/2}``, ``u = (√(1+8ℓ) − 1)/2`` for
    ``ℓ ≤ 3/8``, ``√(1 − 2ℓ)`` for ``3/8 ≤ ℓ < 1/2`` and ``0`` beyond (the bound is then vacuous).
    ``B(ℓ) = (2ℓ)^{−1/2} − (2ℓ)^{1/2} + O(ℓ^{3/2})`` as ``ℓ → 0``: fitting the observations drives every norm to infinity.
    The bound is the infimum of ``W₁₂W₂₁/|W₂₂|`` over the loss ball, so no smaller loss-only bound holds.

    Parameters
    ----------
    loss : real, ``loss > 0``
        The training loss ``ℓ(W)`` (``ℓ = 0`` is unreachable with ``det W > 0``).
    dps : int
        Decimal digits.

    Examples
    --------
    ``loss = 1/8``: ``u = (√2 − 1)/2``, ``B = 1.5514…``.
    """
    if loss is None:
        raise ParameterError("missing parameter `loss` (the training loss, > 0).")
    lo = check_real("loss", loss, low=0, low_open=True)
    shown = shown_params(loss=lo)

    def proof() -> Any:
        from ..ball import AB

        return AB.num(norm_bound(lo, AB))

    return _result("norm_lower_bound", lambda: norm_bound(lo, MP), proof, shown, dps, RAZIN_COHEN_2020)


def growth_time_bound(
    depth: IntLike | None = None,
    init: Real | None = None,
    sigma: Real | None = None,
    grad: Real | None = None,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""Least time for a balanced component (or singular value) to grow from ``init`` to ``sigma``.

    Razin, Maman & Cohen (2021, Theorem 1, balanced case): a CP component's norm obeys
    ``σ̇ = N σ^{2−2/N} ⟨−∇ℓ, Ŵ_r⟩`` (``N`` the tensor order; for ``N = 2`` or a depth-``N`` matrix
    factorization the same law holds for singular values).  If ``|⟨∇ℓ, Ŵ_r⟩| ≤ G`` (``grad``) along
    the way, reaching ``σ₁`` takes at least ``T = ∫_{σ₀}^{σ₁} dσ/(N G σ^{2−2/N})``:
    ``(σ₁−σ₀)/G``, ``ln(σ₁/σ₀)/(2G)``, ``(σ₀^{−(1−2/N)} − σ₁^{−(1−2/N)})/((N−2)G)`` for ``N = 1, 2, ≥ 3``.
    Time is ``t = η·steps`` for the loss whose gradient is ``∇ℓ``.

    Parameters
    ----------
    depth : int, ``1 <= depth <= 10000``
        Tensor order ``N`` (or network depth).
    init : real, ``init > 0``
        Initial component norm ``σ₀``.
    sigma : real, ``sigma > init``
        Norm to reach ``σ₁``.
    grad : real, ``grad > 0``
        Bound ``G`` on ``|⟨∇ℓ(W), Ŵ_r⟩|`` (e.g. ``‖∇ℓ‖_F``).
    dps : int
        Decimal digits.

    Examples
    --------
    ``depth = 3, init = 1/1000, sigma = 1, grad = 1``: ``(1000^{1/3} − 1)/1 = 9``.
    """
    missing = [n for n, v in (("depth", depth), ("init", init), ("sigma", sigma), ("grad", grad)) if v is None]
    if missing:
        raise ParameterError(
            f"missing parameter(s) {', '.join(missing)}: depth (integer ≥ 1), init (> 0), sigma (> init), grad (> 0)."
        )
    n = check_int("depth", depth, low=1, high=MAX_DEPTH)
    s0 = check_real("init", init, low=0, low_open=True)
    s1 = check_real("sigma", sigma, low=0, low_open=True)
    g = check_real("grad", grad, low=0, low_open=True)
    if s1 <= s0:
        raise ParameterError(
            f"`sigma` = {shown_params(x=s1)['x']} must exceed `init` = {shown_params(x=s0)['x']}: "
            "the component grows from init to sigma."
        )
    shown = {"depth": str(n), **shown_params(init=s0, sigma=s1, grad=g)}

    def fn() -> Any:
        return growth_time(to_mpf(s0), to_mpf(s1), to_mpf(g), n, MP)

    def proof() -> Any:
        from ..ball import AB

        return AB.num(growth_time(s0, s1, g, n, AB))

    return _result("growth_time_bound", fn, proof, shown, dps, RAZIN_MAMAN_COHEN_2021)

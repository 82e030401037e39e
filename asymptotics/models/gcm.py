r"""Gaussian covariate model: ridge with covariate shift and a teacher different from the student.

Setting
-------
Ridge ``β̂ = argmin (1/n)‖y − Xβ‖² + λ‖β‖²`` (normalized penalty, as :mod:`~asymptotics.models.ridge`)
on ``n`` training rows ``x ~ N(0, Σ)`` (``p`` features, ``γ = p/n``), ``y = xᵀβ + ε``, ``Var ε = σ²``;
the test point is ``x' ~ N(0, Σ')``.  *Risk* is the excess test risk ``E (β̂ − β)ᵀΣ'(β̂ − β)``.

Deterministic equivalent (Bach 2023; Cheng & Montanari 2022; docs/models/gcm.md)
--------------------------------------------------------------------------------
``κ`` is THE ridge effective regularization (``λ = κ(1 − tr Σ(Σ+κ)⁻¹/n)``, solved by ridge's one solver),
``df₂ = tr Σ²(Σ+κ)⁻²/n`` and the shifted ``df' = tr Σ'Σ(Σ+κ)⁻²/n``:

.. math::
    \mathcal B' = \kappa^2\beta^\top(\Sigma+\kappa)^{-1}\Sigma'(\Sigma+\kappa)^{-1}\beta
        + \kappa^2\beta^\top(\Sigma+\kappa)^{-1}\Sigma(\Sigma+\kappa)^{-1}\beta\,\frac{\mathrm{df}'}{1-\mathrm{df}_2},\quad
    \mathcal V' = \sigma^2\frac{\mathrm{df}'}{1-\mathrm{df}_2},\quad R' = \mathcal B' + \mathcal V' + \tau'^2 .

Commuting covariances (the CLI): blocks ``(sᵢ, tᵢ, bᵢ, wᵢ)`` = (train eigenvalue, test eigenvalue, signal
energy, fraction of the features); then ``df'/n``-sums are ``γ Σ wᵢtᵢsᵢ/(sᵢ+κ)²`` and the first bias term is
``κ² Σ bᵢtᵢ/(sᵢ+κ)²``.

Teacher ≠ student (Loureiro et al. 2021, for ridge): teacher features ``u`` (cov ``Ψ``), student features
``v`` (cov ``Ω``), ``Cov(u, v) = Φ``, ``y = θᵀu + ε``.  For jointly Gaussian ``(u, v)``,
``θᵀu = β*ᵀv + r`` with ``β* = Ω⁻¹Φᵀθ`` and ``r`` independent of ``v``, ``Var r = τ² = θᵀ(Ψ − ΦΩ⁻¹Φᵀ)θ``:
the student's problem is ridge on ``v`` with target ``β*`` and noise ``σ² + τ²`` (exactly), and the test
risk gains ``τ'²`` (``τ²`` without shift).  CLI: ``teacher=blocks:ψ/φ/θ²,...`` aligned with the blocks;
a block's test covariance of ``(u, v)`` is ``tᵢ/sᵢ`` times its training one, so ``bᵢ = φᵢ²θᵢ²/sᵢ²``,
``τ² = Σ θᵢ²(ψᵢ − φᵢ²/sᵢ)``, ``τ'² = Σ (tᵢ/sᵢ) θᵢ²(ψᵢ − φᵢ²/sᵢ)``.

Proofs: κ is proven by ridge's ball route (a sign change of its increasing ``h``); the shifted sums are then
evaluated on balls from the exact block parameters, so every quantity is ``proven`` where ridge's κ is.

References
----------
Loureiro, Gerbelot, Cui, Goldt, Krzakala, Mézard, Zdeborová (arXiv 2102.08127); Bach (arXiv 2303.01372);
Tripuraneni, Adlam, Pennington (arXiv 2111.08234); Cheng & Montanari (arXiv 2210.08571).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import mpmath
import numpy as np

from .._lazy import sympy as sp
from .._types import ArrayLike, Real
from .._validate import check_real, float_arrays, shown_params, to_mpf
from ..errors import ParameterError
from ..formulas import status_ladder
from ..precision import DEFAULT_DPS, certify, residual_tolerance
from ..references import CHENG_MONTANARI_2022
from ..result import Result
from ..solve.roots import MP, NP
from ..symbolic import symbols as S
from ..symbolic.system import FixedPointSystem
from . import ridge as _ridge
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register

NAME = "gcm"
QUANTITIES = ("risk", "bias", "variance", "train_error", "kappa")
BRANCH_RULE = _ridge.BRANCH_RULE


# ----------------------------------------------------------------------------- parameters
def _split(text: Any, what: str, fields: tuple[int, ...]) -> list[list[str]]:
    if not isinstance(text, str):
        raise ParameterError(f"`{what}` must be text 'blocks:...'; got {type(text).__name__}.")
    kind, _, body = text.strip().partition(":")
    rows = [item.split("/") for item in body.split(",") if item.strip()]
    if (
        kind.strip().lower() != "blocks"
        or not rows
        or any(len(r) not in fields for r in rows)
        or len({len(r) for r in rows}) != 1
    ):
        shown = " or ".join(str(f) for f in fields)
        raise ParameterError(
            f"`{what}` must be 'blocks:' followed by comma-separated blocks of {shown} '/'-separated numbers; got {text!r}."
        )
    return rows


@dataclass(frozen=True)
class GcmParams:
    """Validated parameters (exact fractions).

    ``spectrum`` is ``blocks:s/t/b/w,...`` (train eigenvalue ``s > 0``, test eigenvalue ``t ≥ 0``, signal energy
    ``b ≥ 0``, weight ``w > 0``, ``Σ w = 1``); with ``teacher`` (``blocks:psi/phi/theta2,...``, one block per
    spectrum block) the spectrum is ``blocks:s/t/w`` and ``b`` comes from the teacher.
    """

    gamma: Any
    lam: Any = 0
    sigma2: Any = 1
    spectrum: Any = None
    teacher: Any = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "gamma", check_real("gamma", self.gamma, low=0, low_open=True))
        set_(self, "lam", check_real("lam", self.lam, low=0))
        set_(self, "sigma2", check_real("sigma2", self.sigma2, low=0))
        if self.spectrum is None:
            raise ParameterError("`spectrum` is required: 'blocks:s/t/b/w,...' (or 'blocks:s/t/w,...' with `teacher`).")
        if self.teacher is not None and not isinstance(self.teacher, str):
            raise ParameterError(
                f"`teacher` must be 'none' or 'blocks:psi/phi/theta2,...' (text); got {type(self.teacher).__name__}."
            )
        self_teacher = None if self.teacher is None or self.teacher.strip().lower() in ("", "none") else self.teacher
        raw = _split(self.spectrum, "spectrum", (3,) if self_teacher is not None else (4,))
        s = tuple(check_real(f"spectrum s[{j}]", r[0], low=0, low_open=True) for j, r in enumerate(raw))
        t = tuple(check_real(f"spectrum t[{j}]", r[1], low=0) for j, r in enumerate(raw))
        w = tuple(check_real(f"spectrum w[{j}]", r[-1], low=0, low_open=True) for j, r in enumerate(raw))
        if sum(w) != 1:
            raise ParameterError(f"`spectrum` weights w must sum to 1; they sum to {float(sum(w))}.")
        tau: Any = Fraction(0)
        tau_test: Any = Fraction(0)
        if self_teacher is None:
            b = tuple(check_real(f"spectrum b[{j}]", r[2], low=0) for j, r in enumerate(raw))
        else:
            rows = _split(self_teacher, "teacher", (3,))
            if len(rows) != len(raw):
                raise ParameterError(f"`teacher` must have one block per spectrum block ({len(raw)}); got {len(rows)}.")
            b_list = []
            for j, (r, sj, tj) in enumerate(zip(rows, s, t, strict=True)):
                psi = check_real(f"teacher psi[{j}]", r[0], low=0)
                phi = check_real(f"teacher phi[{j}]", r[1])
                th = check_real(f"teacher theta2[{j}]", r[2], low=0)
                if phi * phi > psi * sj:
                    raise ParameterError(
                        f"teacher block {j}: phi^2 ≤ psi·s is required (a joint covariance of (u, v)); "
                        f"got phi = {float(phi):g}, psi = {float(psi):g}, s = {float(sj):g}."
                    )
                b_list.append(phi * phi * th / (sj * sj))
                resid = th * (psi - phi * phi / sj)
                tau += resid
                tau_test += tj / sj * resid
            b = tuple(b_list)
        set_(self, "teacher", self_teacher)
        set_(self, "_blocks", (s, t, b, w))
        set_(self, "_tau", (tau, tau_test))

    @property
    def ridge_params(self) -> _ridge.RidgeParams:
        """The training problem as ridge: blocks ``(s, w, b)``, noise ``σ² + τ²`` (``tau2 = τ²``)."""
        s, _, b, w = self._blocks  # type: ignore[attr-defined]
        return _ridge.RidgeParams(self.gamma, self.lam, None, self.sigma2, self._tau[0], _ridge.Spectrum.from_blocks(s, w, b))  # type: ignore[attr-defined]

    def shown(self) -> dict[str, str]:
        d = shown_params(gamma=self.gamma, lam=self.lam, sigma2=self.sigma2)
        d["spectrum"] = str(self.spectrum).strip()
        if self.teacher is not None:
            d["teacher"] = str(self.teacher).strip()
        return d


# ----------------------------------------------------------------------------- the formulas, once
def _shift_sums(B: Any, s: Any, t: Any, b: Any, w: Any, k: Any) -> tuple[Any, Any, Any]:
    """``(Σ bᵢtᵢqᵢ², Σ bᵢsᵢqᵢ², Σ wᵢtᵢsᵢ/(sᵢ+k)²)`` with ``qᵢ = k/(sᵢ+k)`` (numpy: points × blocks)."""

    def terms(si: Any, ti: Any, bi: Any, wi: Any, kk: Any) -> tuple[Any, Any, Any]:
        inv = 1 / (si + kk)
        q = kk * inv
        return bi * ti * q * q, bi * si * q * q, wi * ti * si * inv * inv

    if B.name == "np":
        return tuple(B.sum(x, axis=-1) for x in terms(s, t, b, w, k[..., None]))  # type: ignore[return-value]
    rows = [terms(*blk, k) for blk in zip(s, t, b, w, strict=True)]
    return tuple(B.sum([r[c] for r in rows]) for c in range(3))  # type: ignore[return-value]


def _shifted(
    B: Any, blocks: tuple[Any, ...], g: Any, omg: Any, lam: Any, noise: Any, tau_test: Any, kappa: Any, cross: Any = 0
) -> dict[str, Any]:
    """Every quantity at ridge's root ``kappa`` on backend ``B`` (blocks ``(s, t, b, w)``, ``noise = σ² + τ²``).

    ``cross`` is the off-diagonal part ``κ² Σ_{i≠j} β̃ᵢ T̃ᵢⱼ β̃ⱼ/((sᵢ+κ)(sⱼ+κ))`` of the direct bias term when the
    test covariance is not diagonal in Σ's eigenbasis (:func:`deterministic_equivalent`); 0 for blocks."""
    s, t, b, w = blocks
    out, _ = _ridge._general(B, (s, w, b), g, omg, lam, noise, rtol=None, kappa=kappa)
    k = out["kappa"]
    direct, coupled, dfp = _shift_sums(B, s, t, b, w, k)
    direct = direct + cross
    dfp = g * dfp
    omd2 = out["_one_minus_d2"]
    sing = omd2 <= 0
    safe = B.where(sing, 1 + 0 * omd2, omd2)
    zero = 0 * omd2
    ratio = dfp / safe
    bias = B.where(sing, direct + zero, direct + coupled * ratio)
    variance = B.where(sing, B.where(noise > 0, B.inf + zero, zero), noise * ratio)
    risk = B.where(B.isinf(variance), variance, bias + variance + tau_test)
    return {
        "kappa": k,
        "bias": bias,
        "variance": variance,
        "risk": risk,
        "train_error": out["train_error"],
        "_residual": out["_residual"],
    }


def _mp_blocks(pr: GcmParams) -> tuple[list[Any], ...]:
    return tuple([to_mpf(v) for v in col] for col in pr._blocks)  # type: ignore[attr-defined]


def _solve_mp(pr: GcmParams, state: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    rp = pr.ridge_params
    out_r, residual = _ridge._general_mp(rp, state)  # THE ridge κ solver
    tau, tau_test = pr._tau  # type: ignore[attr-defined]
    out = _shifted(
        MP,
        _mp_blocks(pr),
        to_mpf(pr.gamma),
        to_mpf(1 - pr.gamma),
        to_mpf(pr.lam),
        to_mpf(pr.sigma2 + tau),
        to_mpf(tau_test),
        out_r["kappa"],
    )
    if residual is not None and residual > residual_tolerance():
        from ..errors import ConvergenceError

        raise ConvergenceError(f"gcm: fixed-point residual {mpmath.nstr(residual, 3)} too large", params=pr.shown())
    return out, residual


def _solve_ball(pr: GcmParams, dps: int, state: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    from ..ball import AB

    rp = pr.ridge_params
    out_r, residual = _ridge._general_ball(rp, dps, state)  # ridge's proven κ (sign change)
    tau, tau_test = pr._tau  # type: ignore[attr-defined]
    blocks = tuple([AB.num(v) for v in col] for col in pr._blocks)  # type: ignore[attr-defined]
    num = AB.num
    out = _shifted(AB, blocks, num(pr.gamma), num(1 - pr.gamma), num(pr.lam), num(pr.sigma2 + tau), num(tau_test), out_r["kappa"])
    return out, residual


def solve(params: GcmParams, quantity: str, *, dps: int = DEFAULT_DPS) -> Result:
    """Certified value of one gcm quantity; proven on balls where ridge's κ is."""
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown gcm quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    state: dict[str, Any] = {}
    proof_state: dict[str, Any] = {}

    def evaluate() -> tuple[Any, Any]:
        out, residual = _solve_mp(params, state)
        return out[quantity], residual

    def ball_evaluate() -> tuple[Any, Any]:
        out, residual = _solve_ball(params, dps, proof_state)
        return out[quantity], residual

    c = certify(evaluate, dps, what=f"gcm {quantity}", params=params.shown(), prove=ball_evaluate)
    return Result(
        c.value,
        NAME,
        quantity,
        params.shown(),
        dps,
        c.residual,
        c.error_estimate,
        BRANCH_RULE,
        CHENG_MONTANARI_2022,
        **c.proof_fields(),
    )


_COMMON = """

    Parameters
    ----------
    gamma : aspect ratio p/n (> 0).
    lam : normalized ridge penalty (≥ 0; 0 = ridgeless).
    sigma2 : label-noise variance (≥ 0).
    spectrum : ``"blocks:s/t/b/w,..."`` (train eigenvalue, test eigenvalue, signal energy, weight; Σw = 1);
        ``"blocks:s/t/w,..."`` when ``teacher`` is given.
    teacher : ``"blocks:psi/phi/theta2,..."`` (teacher variance, teacher-student covariance, teacher energy),
        one per block; default none (teacher = student).
    dps : significant digits.

    Returns
    -------
    Result (``proven=True`` with an enclosure when ridge's ball κ and the shifted sums prove the digits).
    """


def _make(quantity: str, doc: str) -> Any:
    def fn(
        gamma: Real,
        lam: Real = 0,
        sigma2: Real = 1,
        *,
        spectrum: str,
        teacher: str | None = None,
        dps: int = DEFAULT_DPS,
    ) -> Result:
        return solve(GcmParams(gamma, lam, sigma2, spectrum, teacher), quantity, dps=dps)

    fn.__name__ = fn.__qualname__ = quantity
    fn.__doc__ = doc + _COMMON
    return fn


risk = _make("risk", "Excess test risk under the test covariance ``R' = 𝓑' + 𝓥' + τ'²``.")
bias = _make("bias", "Shifted bias ``𝓑' = κ²Σbᵢtᵢ/(sᵢ+κ)² + κ²Σbᵢsᵢ/(sᵢ+κ)² · df'/(1 − df₂)``.")
variance = _make("variance", "Shifted variance ``𝓥' = (σ² + τ²) df'/(1 − df₂)``, ``df' = γΣwᵢtᵢsᵢ/(sᵢ+κ)²``.")
train_error = _make("train_error", "Training error ``(λ/κ)²(R + σ² + τ²)`` (training distribution; ridge's).")
kappa = _make("kappa", "Effective regularization κ (ridge's: ``λ = κ(1 − γΣwᵢsᵢ/(sᵢ+κ))``).")


# ----------------------------------------------------------------------------- float64
def curve_values(
    quantity: str,
    gamma: ArrayLike,
    lam: ArrayLike = 0.0,
    sigma2: ArrayLike = 1.0,
    *,
    spectrum: str,
    teacher: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 values and status codes; κ (and its error bound) from ridge's float64 path."""
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown gcm quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    pr = GcmParams(1, 0, 0, spectrum, teacher)
    g, lm, s2 = float_arrays(gamma=gamma, lam=lam, sigma2=sigma2)
    domain = (g > 0) & (lm >= 0) & (s2 >= 0) & np.isfinite(g) & np.isfinite(lm) & np.isfinite(s2)
    tau, tau_test = (float(v) for v in pr._tau)  # type: ignore[attr-defined]
    noise = s2 + tau
    shape = g.shape
    gs = np.where(domain, g, 0.5)
    ls = np.where(domain, lm, 1.0)
    ns = np.where(domain, noise, 1.0)
    with np.errstate(all="ignore"):
        rout, conv = _ridge._general_np(pr.ridge_params.spectrum, gs, ls, ns)  # type: ignore[arg-type]
        blocks = tuple(np.array([float(v) for v in col]) for col in pr._blocks)  # type: ignore[attr-defined]
        gf = gs.reshape(-1)
        out = _shifted(
            NP, blocks, gf, 1 - gf, ls.reshape(-1), ns.reshape(-1), np.full(gf.shape, tau_test), rout["kappa"].reshape(-1)
        )
    vals = out[quantity].reshape(shape)
    return status_ladder(domain, conv, vals)


# ----------------------------------------------------------------------------- general (non-commuting) matrices
_SYM_RTOL = 1e-9  # asymmetry allowed, relative to the Frobenius norm (rounding in products like Q D Qᵀ)
_PSD_RTOL = 1e-10  # negative eigenvalues allowed, relative to the largest |eigenvalue|


def _finite(name: str, a: ArrayLike, ndim: int) -> np.ndarray:
    """``a`` as a float64 array of ``ndim`` dimensions with finite entries, else ParameterError naming ``name``."""
    try:
        x = np.asarray(a, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"`{name}` must be a real array; got {type(a).__name__}.") from exc
    x = x.reshape(-1) if ndim == 1 else x
    if x.ndim != ndim or (ndim == 2 and x.shape[0] != x.shape[1]):
        raise ParameterError(f"`{name}` must be a {'vector' if ndim == 1 else 'square matrix'}; got shape {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ParameterError(f"`{name}` must have finite entries (no NaN or inf).")
    return x


def _symmetric(name: str, A: np.ndarray) -> np.ndarray:
    """Symmetric part of ``A`` after checking ‖A − Aᵀ‖_F ≤ 1e-9 ‖A‖_F (a covariance is symmetric)."""
    asym = float(np.linalg.norm(A - A.T))
    if asym > _SYM_RTOL * float(np.linalg.norm(A)):
        raise ParameterError(f"`{name}` must be symmetric (a covariance); ‖A − Aᵀ‖_F = {asym:g} exceeds 1e-9·‖A‖_F.")
    return (A + A.T) / 2


def _check_psd(name: str, eig: np.ndarray, what: str = "") -> None:
    """Eigenvalues ``eig`` ≥ −1e-10·max|eig| (positive semi-definite up to rounding), else ParameterError."""
    scale = float(np.max(np.abs(eig))) if eig.size else 0.0
    if eig.size and float(eig.min()) < -_PSD_RTOL * scale:
        raise ParameterError(
            f"{f'`{name}`: ' + what if what else f'`{name}`'} must be positive semi-definite; "
            f"its smallest eigenvalue is {float(eig.min()):g}."
        )


def deterministic_equivalent(
    Sigma_train: ArrayLike,
    Sigma_test: ArrayLike,
    beta: ArrayLike,
    n: Real,
    lam: Real,
    sigma2: Real = 1,
    *,
    tau2: Real = 0,
    tau2_test: Real | None = None,
) -> dict[str, float]:
    """Deterministic equivalent for general (non-commuting) ``Σ``, ``Σ'`` and ``β`` (float64).

    ``Σ = U diag(s) Uᵀ`` is eigendecomposed; κ comes from ridge's one solver with blocks ``(sⱼ, 1/p, (Uᵀβ)ⱼ²)``;
    then ``𝓑' = κ² β̃ᵀ D Σ̃' D β̃ + κ² Σⱼ β̃ⱼ² sⱼ/(sⱼ+κ)² · df'/(1 − df₂)`` with ``D = diag(1/(sⱼ+κ))``,
    ``Σ̃' = UᵀΣ'U``, ``df' = Σⱼ Σ̃'ⱼⱼ sⱼ/(sⱼ+κ)²/n``, ``𝓥' = (σ² + τ²) df'/(1 − df₂)``.  ``tau2`` is extra
    (misspecification) noise; ``tau2_test`` (default ``tau2``) is added to the risk.

    Returns
    -------
    dict with ``risk``, ``bias``, ``variance``, ``kappa``, ``train_error``.
    """
    S_tr = _finite("Sigma_train", Sigma_train, 2)
    S_te = _finite("Sigma_test", Sigma_test, 2)
    bt = _finite("beta", beta, 1)
    p = bt.size
    if S_tr.shape != (p, p) or S_te.shape != (p, p):
        raise ParameterError(
            f"`Sigma_train` and `Sigma_test` must be {p} × {p} (the length of `beta`); got {S_tr.shape}, {S_te.shape}."
        )
    nn = float(check_real("n", n, low=0, low_open=True))
    lm = float(check_real("lam", lam, low=0))
    s2 = float(check_real("sigma2", sigma2, low=0))
    t2 = float(check_real("tau2", tau2, low=0))
    t2t = t2 if tau2_test is None else float(check_real("tau2_test", tau2_test, low=0))
    s, U = np.linalg.eigh(_symmetric("Sigma_train", S_tr))
    if s.min() <= 0:
        raise ParameterError(f"`Sigma_train` must be positive definite; its smallest eigenvalue is {s.min():g}.")
    S_te = _symmetric("Sigma_test", S_te)
    _check_psd("Sigma_test", np.linalg.eigvalsh(S_te))
    bb = U.T @ bt
    Tt = U.T @ S_te @ U
    g = np.array([p / nn])
    blocks = (s, np.full(p, 1.0 / p), bb * bb)
    noise = np.array([s2 + t2])
    with np.errstate(all="ignore"):
        out, conv = _ridge._general(NP, blocks, g, 1 - g, np.array([lm]), noise, rtol=1e-14, throw=False)
    if not bool(conv[0]):
        from ..errors import ConvergenceError

        raise ConvergenceError("gcm: the ridge kappa equation did not converge")
    k = out["kappa"]
    d = bb / (s + k[0])  # β̃ⱼ/(sⱼ+κ): the off-diagonal part of κ² β̃ᵀ D T̃ D β̃ (the diagonal is in the block sums)
    cross = k * k * float(d @ (Tt - np.diag(np.diag(Tt))) @ d)
    with np.errstate(all="ignore"):
        res = _shifted(NP, (s, np.diag(Tt), bb * bb, blocks[1]), g, 1 - g, np.array([lm]), noise, np.array([t2t]), k, cross)
    return {name: float(res[name][0]) for name in ("risk", "bias", "variance", "kappa", "train_error")}


def teacher_student(
    Psi: ArrayLike,
    Phi: ArrayLike,
    Omega: ArrayLike,
    theta: ArrayLike,
    n: Real,
    lam: Real,
    sigma2: Real = 1,
) -> dict[str, float]:
    """Ridge on student features ``v`` for ``y = θᵀu + ε`` (Loureiro et al. 2021 GCM, jointly Gaussian ``(u, v)``).

    ``Psi`` = Cov(u) (``p_u × p_u``), ``Phi`` = Cov(u, v) (``p_u × p_v``), ``Omega`` = Cov(v).  Reduces exactly to
    :func:`deterministic_equivalent` with ``β* = Ω⁻¹Φᵀθ`` and extra noise ``τ² = θᵀ(Ψ − ΦΩ⁻¹Φᵀ)θ`` (added to
    the test risk too).
    """
    Ps, Om, th = _finite("Psi", Psi, 2), _finite("Omega", Omega, 2), _finite("theta", theta, 1)
    try:
        Ph = np.asarray(Phi, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"`Phi` must be a real array; got {type(Phi).__name__}.") from exc
    if Ps.shape != (th.size, th.size) or Ph.shape != (th.size, Om.shape[0]):
        raise ParameterError(
            "`Psi`, `Phi`, `Omega`, `theta` must have shapes (pu, pu), (pu, pv), (pv, pv), (pu,); "
            f"got {Ps.shape}, {Ph.shape}, {Om.shape}, {th.shape}."
        )
    if not np.all(np.isfinite(Ph)):
        raise ParameterError("`Phi` must have finite entries (no NaN or inf).")
    Ps, Om = _symmetric("Psi", Ps), _symmetric("Omega", Om)
    _check_psd("Psi", np.linalg.eigvalsh(Ps))
    w = np.linalg.eigvalsh(Om)
    if w.min() <= Om.shape[0] * np.finfo(float).eps * max(float(np.abs(w).max()), np.finfo(float).tiny):
        raise ParameterError(
            f"`Omega` must be positive definite (β* = Ω⁻¹Φᵀθ needs its inverse); its smallest eigenvalue is {w.min():g}."
        )
    _check_psd("Phi", np.linalg.eigvalsh(np.block([[Ps, Ph], [Ph.T, Om]])), "the joint covariance [[Psi, Phi], [Phi^T, Omega]]")
    beta_star = np.linalg.solve(Om, Ph.T @ th)
    tau2 = float(th @ Ps @ th - (Ph.T @ th) @ beta_star)
    return deterministic_equivalent(Om, Om, beta_star, n, lam, sigma2, tau2=max(tau2, 0.0))


# ----------------------------------------------------------------------------- symbolic
@cache
def system() -> FixedPointSystem:
    """Block equations: ridge's κ equation and the shifted bias/variance/risk."""
    gamma, kappa, lam, i, s, w, b, K = S.gamma, S.kappa, S.lam, S.i, S.s, S.w, S.b, S.K
    t = sp.IndexedBase("t")
    tau2p = sp.Symbol("tau_test^2", nonnegative=True)
    df1 = gamma * sp.Sum(w[i] * s[i] / (s[i] + kappa), (i, 1, K))
    df2 = gamma * sp.Sum(w[i] * s[i] ** 2 / (s[i] + kappa) ** 2, (i, 1, K))
    dfp = gamma * sp.Sum(w[i] * t[i] * s[i] / (s[i] + kappa) ** 2, (i, 1, K))
    direct = kappa**2 * sp.Sum(b[i] * t[i] / (s[i] + kappa) ** 2, (i, 1, K))
    coupled = kappa**2 * sp.Sum(b[i] * s[i] / (s[i] + kappa) ** 2, (i, 1, K))
    noise = S.sigma2 + S.tau2
    bias_ = direct + coupled * dfp / (1 - df2)
    var_ = noise * dfp / (1 - df2)
    ridge_risk = coupled / (1 - df2) + noise * df2 / (1 - df2)
    sys_ = FixedPointSystem(
        name="gcm",
        unknowns=(kappa,),
        parameters=(lam, gamma, S.sigma2, S.tau2, tau2p, K),
        equations=(sp.Eq(lam, kappa * (1 - df1)),),
        quantities={
            "bias": bias_,
            "variance": var_,
            "risk": bias_ + var_ + tau2p,
            "train_error": (1 - df1) ** 2 * (ridge_risk + noise),
        },
        labels={"bias": r"\mathcal{B}'", "variance": r"\mathcal{V}'", "risk": "R'", "train_error": r"R_{\mathrm{train}}"},
        source=CHENG_MONTANARI_2022,
    )
    return sys_


# ----------------------------------------------------------------------------- registry
PROOF_NOTE = (
    "kappa proven by ridge's ball route (sign change of its increasing h); the shifted sums df', the bias and "
    "variance then on balls from the exact block parameters; proven=false where ridge's kappa is not proven"
)


def _q(name: str, fn: Any, doc: str) -> QuantitySpec:
    def curve(**kw: Any) -> tuple[np.ndarray, np.ndarray]:
        return curve_values(name, **kw)

    return QuantitySpec(
        name,
        doc,
        ("gamma", "lam", "sigma2", "spectrum", "teacher"),
        fn,
        curve,
        optional=("teacher",),
        proof="proven",
        proof_note=PROOF_NOTE,
    )


MODEL = register(
    ModelSpec(
        name=NAME,
        doc="Gaussian covariate model: ridge with covariate shift and a teacher different from the student.",
        params={
            "gamma": ParamSpec("gamma", "aspect ratio p/n, > 0"),
            "lam": ParamSpec("lam", "normalized ridge penalty, ≥ 0 (0 = ridgeless)", default="0"),
            "sigma2": ParamSpec("sigma2", "noise variance, ≥ 0", default="1"),
            "spectrum": ParamSpec(
                "spectrum",
                "blocks:s/t/b/w,... (train eigenvalue > 0, test eigenvalue ≥ 0, signal energy ≥ 0, weight; sum w = 1); "
                "blocks:s/t/w,... with teacher",
                kind="text",
            ),
            "teacher": ParamSpec(
                "teacher",
                "none | blocks:psi/phi/theta2,... aligned with the spectrum's blocks (phi^2 ≤ psi s); "
                "under a shift each block's test covariance of (u, v) is t/s times its training one",
                default="none",
                kind="text",
            ),
        },
        quantities={
            "risk": _q("risk", risk, "excess test risk under the test covariance"),
            "bias": _q("bias", bias, "bias part of the test risk"),
            "variance": _q("variance", variance, "variance part of the test risk"),
            "train_error": _q("train_error", train_error, "training error"),
            "kappa": _q("kappa", kappa, "effective regularization (ridge's)"),
        },
        system=system,
        source=CHENG_MONTANARI_2022,
        aliases=("covariate_shift", "shift"),
    )
)

r"""Finite-width, finite-dimension two-layer networks in the mean-field scaling, trained by SGD or GD.

Mirror of :mod:`asymptotics.meanfield` (Mei, Montanari & Nguyen 2018, isotropic Gaussians with a
quadratic neuron).  The network is ``ŷ(x) = (1/N) Σ_i (⟨w_i, x⟩² − 1)``; one step on a fresh
sample ``(x, y)`` is MMN18's

.. math:: w_i \leftarrow w_i + 2\varepsilon\xi\,(y - \hat y(x))\cdot 2\langle w_i, x\rangle x ,

so ``k`` steps are time ``t = kε``.  Many independent runs (seeds) are stacked in one array.  The
recorded quantities are exact functions of the weights, not Monte Carlo estimates:
``m = tr M = (1/N) Σ‖w_i‖²`` and the population risk
``R(M) = 2 − 2a tr M + ½(a² + b²)((tr M)² + 2 tr M²)`` (Gaussian fourth moments),
with ``M = (1/N) Σ w_i w_iᵀ``.

``mode="gd"`` replaces the sampled gradient by its expectation,
``E[(ŷ − y) x xᵀ] = ½(a² + b²)(tr M I + 2M) − a I``, i.e. gradient descent on the population risk:
then only the random start separates the width-``N`` network from the mean-field ODE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from asymptotics.errors import ParameterError
from asymptotics.meanfield import setting

__all__ = ["MeanFieldRun", "population_risk", "train"]


@dataclass(frozen=True)
class MeanFieldRun:
    """Trajectories of ``seeds`` independent runs.

    Attributes
    ----------
    t:
        Recording times ``kε`` (shape ``(T,)``).
    m:
        ``tr M = (1/N) Σ‖w_i‖²`` per run and time (shape ``(seeds, T)``).
    risk:
        Exact population risk of each network (shape ``(seeds, T)``).
    scale_spread:
        Per run and time, the standard deviation over neurons of ``‖w_i(t)‖/‖w_i(0)‖`` divided by
        its mean: ``0`` when every neuron is rescaled by the same factor, as the PDE says.
    """

    t: NDArray[np.float64]
    m: NDArray[np.float64]
    risk: NDArray[np.float64]
    scale_spread: NDArray[np.float64]

    def mean_se(self, field: str = "m") -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Mean over runs and its standard error for ``field`` (``"m"`` or ``"risk"``)."""
        v = getattr(self, field)
        return v.mean(axis=0), v.std(axis=0, ddof=1) / np.sqrt(v.shape[0])


def population_risk(w: NDArray[np.float64], *, delta: float = 0.25) -> NDArray[np.float64]:
    r"""Population square loss of networks with weights ``w`` (shape ``(..., N, d)``).

    ``R(M) = 2 − 2a tr M + ½(a² + b²)((tr M)² + 2 tr M²)``, ``M = (1/N) Σ w_i w_iᵀ``,
    ``a = (1 + Δ)²``, ``b = (1 − Δ)²``.
    """
    s = setting(delta=delta)
    n = w.shape[-2]
    gram = np.einsum("...id,...jd->...ij", w, w) / n  # ‖M‖_F² = ‖WWᵀ‖_F²/N² (smaller when N < d)
    tr = np.einsum("...ii->...", gram)
    tr2 = np.einsum("...ij,...ij->...", gram, gram)
    return 2.0 - 2.0 * s.a * tr + 0.5 * (s.a**2 + s.b**2) * (tr**2 + 2.0 * tr2)


def train(
    *,
    n_neurons: int,
    d: int,
    t_max: float,
    eps: float,
    delta: float = 0.25,
    m0: float = 0.1,
    xi: float = 1.0,
    seeds: int = 8,
    seed: int = 0,
    init: str = "gaussian",
    mode: str = "sgd",
    n_record: int = 21,
    progress: bool = False,
) -> MeanFieldRun:
    """Train ``seeds`` width-``n_neurons`` networks for time ``t_max`` with step ``eps``.

    Parameters
    ----------
    n_neurons, d:
        Width ``N ≥ 1`` and input dimension ``d ≥ 1``.
    t_max, eps:
        Final time ``> 0`` and step ``ε > 0`` (``round(t_max/ε)`` steps; MMN18 need ``εd ≪ 1``).
    delta, m0, xi:
        As in :func:`asymptotics.meanfield.setting`.
    seeds, seed:
        Number of independent runs ``≥ 2`` and the root seed.
    init:
        ``"gaussian"`` (``w_i ~ N(0, (m0/d) I)``) or ``"sphere"`` (uniform on ``‖w‖ = √m0``).
    mode:
        ``"sgd"`` (one fresh sample per step) or ``"gd"`` (population gradient).
    n_record:
        Number of recording times ``≥ 2`` (equally spaced on ``[0, t_max]``).
    progress:
        Show a tqdm bar over steps.
    """
    s = setting(delta=delta, d=d, m0=m0, xi=xi)
    for name, v, low in (("n_neurons", n_neurons, 1), ("d", d, 1), ("seeds", seeds, 2), ("n_record", n_record, 2)):
        if int(v) != v or v < low:
            raise ParameterError(f"parameter `{name}` must be an integer ≥ {low}; got {v!r}.")
    if not (t_max > 0 and np.isfinite(t_max)):
        raise ParameterError(f"parameter `t_max` must be finite and > 0; got {t_max!r}.")
    if not (0 < eps <= t_max):
        raise ParameterError(f"parameter `eps` must lie in (0, t_max]; got {eps!r}.")
    if init not in ("gaussian", "sphere"):
        raise ParameterError(f"parameter `init` must be 'gaussian' or 'sphere'; got {init!r}.")
    if mode not in ("sgd", "gd"):
        raise ParameterError(f"parameter `mode` must be 'sgd' or 'gd'; got {mode!r}.")
    from tqdm import tqdm

    rng = np.random.default_rng(seed)
    n, dim = int(n_neurons), int(d)
    w = rng.standard_normal((seeds, n, dim))
    if init == "sphere":
        w *= np.sqrt(m0) / np.linalg.norm(w, axis=-1, keepdims=True)
    else:
        w *= np.sqrt(m0 / dim)
    norm0 = np.linalg.norm(w, axis=-1)
    steps = max(1, round(t_max / eps))
    rec = np.unique(np.round(np.linspace(0, steps, n_record)).astype(int))
    t = rec * eps
    m = np.empty((seeds, rec.size))
    rk = np.empty((seeds, rec.size))
    spread = np.empty((seeds, rec.size))
    scales = np.array([1.0 + s.delta, 1.0 - s.delta])
    c2 = s.a**2 + s.b**2
    j = 0
    for k in tqdm(range(steps + 1), disable=not progress, leave=False, desc=f"{mode} N={n} d={dim}"):
        if j < rec.size and k == rec[j]:
            m[:, j] = np.einsum("snd,snd->s", w, w) / n
            rk[:, j] = population_risk(w, delta=delta)
            ratio = np.linalg.norm(w, axis=-1) / norm0
            spread[:, j] = ratio.std(axis=-1) / ratio.mean(axis=-1)
            j += 1
        if k == steps:
            break
        if mode == "sgd":
            cls = rng.integers(0, 2, size=seeds)
            y = 1.0 - 2.0 * cls
            x = rng.standard_normal((seeds, dim)) * scales[cls][:, None]
            h = np.einsum("snd,sd->sn", w, x)
            yhat = (h**2).mean(axis=-1) - 1.0
            w += (4.0 * eps * xi * (y - yhat))[:, None, None] * h[:, :, None] * x[:, None, :]
        else:
            mm = np.einsum("snd,sne->sde", w, w) / n
            tr = np.einsum("sii->s", mm)
            # G = ½(a²+b²)(tr M I + 2M) − aI ; w_i ← w_i − 4εξ G w_i
            gw = (0.5 * c2 * tr - s.a)[:, None, None] * w + c2 * np.einsum("sde,sne->snd", mm, w)
            w -= 4.0 * eps * xi * gw
    return MeanFieldRun(t=t, m=m, risk=rk, scale_spread=spread)

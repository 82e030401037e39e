"""Every SymPy symbol of the package, defined once, with assumptions and LaTeX names.

Names are chosen so that SymPy's printer produces the papers' notation
(``sigma^2`` → ``\\sigma^{2}``, ``mtilde`` → ``\\tilde{m}``).
"""

from __future__ import annotations

import sympy as sp

# aspect ratio p/n, ridge penalty (normalized), effective regularization
gamma = sp.Symbol("gamma", positive=True)
lam = sp.Symbol("lambda", nonnegative=True)
kappa = sp.Symbol("kappa", nonnegative=True)
# signal energy ||beta||^2, label-noise variance, misspecification energy
r2 = sp.Symbol("r^2", nonnegative=True)
sigma2 = sp.Symbol("sigma^2", positive=True)
tau2 = sp.Symbol("tau^2", nonnegative=True)
# spectral variable and Stieltjes transforms
z = sp.Symbol("z")
x = sp.Symbol("x", positive=True)
m = sp.Symbol("m")
m_tilde = sp.Symbol("mtilde")
# general covariance: block index, number of blocks, eigenvalue, weight, signal energy
i = sp.Idx("i")
K = sp.Symbol("K", integer=True, positive=True)
s = sp.IndexedBase("s")
w = sp.IndexedBase("w")
b = sp.IndexedBase("b")
# random features (Mei & Montanari): ratios N/d, n/d, activation ratio μ₁/μ⋆, ridge λ/μ⋆²,
# spectral argument, the two partial traces, their product, target energies
psi1 = sp.Symbol("psi_1", positive=True)
psi2 = sp.Symbol("psi_2", positive=True)
psi = sp.Symbol("psi", positive=True)
zeta = sp.Symbol("zeta", nonnegative=True)
lam_bar = sp.Symbol(r"\bar{\lambda}", nonnegative=True)
xi = sp.Symbol("xi")
nu1 = sp.Symbol("nu_1")
nu2 = sp.Symbol("nu_2")
chi = sp.Symbol("chi")
p = sp.Symbol("p", positive=True)
F1sq = sp.Symbol("F_1^2", nonnegative=True)
Fstar2 = sp.Symbol(r"F_{\star}^{2}", nonnegative=True)

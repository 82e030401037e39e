"""Bibliographic records attached to models and formulas."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A published source of a formula (``where`` points inside it)."""

    authors: str
    title: str
    year: int
    arxiv: str | None = None
    journal: str | None = None
    where: str | None = None

    def __str__(self) -> str:
        parts = [f"{self.authors} ({self.year}), {self.title}"]
        if self.journal:
            parts.append(self.journal)
        if self.arxiv:
            parts.append(f"arXiv:{self.arxiv}")
        if self.where:
            parts.append(self.where)
        return ", ".join(parts)


MARCHENKO_PASTUR_1967 = Source(
    "V. A. Marchenko, L. A. Pastur",
    "Distribution of eigenvalues for some sets of random matrices",
    1967,
    journal="Math. USSR-Sbornik 1:457-483",
)
BAI_SILVERSTEIN_2010 = Source(
    "Z. Bai, J. W. Silverstein",
    "Spectral Analysis of Large Dimensional Random Matrices (2nd ed.)",
    2010,
    journal="Springer",
    where="ch. 3 (Marchenko-Pastur law, moments)",
)
HMRT_2019 = Source(
    "T. Hastie, A. Montanari, S. Rosset, R. J. Tibshirani",
    "Surprises in high-dimensional ridgeless least squares interpolation",
    2019,
    arxiv="1903.08560",
    journal="Ann. Statist. 50(2), 2022",
)
DOBRIBAN_WAGER_2018 = Source(
    "E. Dobriban, S. Wager",
    "High-dimensional asymptotics of prediction: ridge regression and classification",
    2018,
    arxiv="1507.03003",
    journal="Ann. Statist. 46(1)",
)
CHENG_MONTANARI_2022 = Source(
    "C. Cheng, A. Montanari",
    "Dimension free ridge regression",
    2022,
    arxiv="2210.08571",
)
SIX_LECTURES_2023 = Source(
    "T. Misiakiewicz, A. Montanari",
    "Six Lectures on Linearized Neural Networks",
    2023,
    arxiv="2308.13431",
)
MEI_MONTANARI_2019 = Source(
    "S. Mei, A. Montanari",
    "The generalization error of random features regression: precise asymptotics and double descent curve",
    2019,
    arxiv="1908.05355",
    journal="Comm. Pure Appl. Math. 75(4), 2022",
)
MONTANARI_ZHONG_2020 = Source(
    "A. Montanari, Y. Zhong",
    "The interpolation phase transition in neural networks: memorization and generalization under lazy training",
    2020,
    arxiv="2007.12826",
    journal="Ann. Statist. 50(5), 2022",
)
ADLAM_PENNINGTON_2020 = Source(
    "B. Adlam, J. Pennington",
    "The neural tangent kernel in high dimensions: triple descent and a multi-scale theory of generalization",
    2020,
    arxiv="2008.06786",
    journal="ICML 2020",
)
CHIZAT_OYALLON_BACH_2018 = Source(
    "L. Chizat, E. Oyallon, F. Bach",
    "On lazy training in differentiable programming",
    2018,
    arxiv="1812.07956",
    journal="NeurIPS 2019",
)
GMMM_2019 = Source(
    "B. Ghorbani, S. Mei, T. Misiakiewicz, A. Montanari",
    "Linearized two-layers neural networks in high dimension",
    2019,
    arxiv="1904.12191",
    journal="Ann. Statist. 49(2), 2021",
)
MISIAKIEWICZ_2022 = Source(
    "T. Misiakiewicz",
    "Spectrum of inner-product kernel matrices in the polynomial regime and multiple descent phenomenon in kernel "
    "ridge regression",
    2022,
    arxiv="2204.10425",
)
MMM_2021 = Source(
    "S. Mei, T. Misiakiewicz, A. Montanari",
    "Generalization error of random features and kernel methods: hypercontractivity and kernel matrix concentration",
    2021,
    arxiv="2101.10588",
    journal="Appl. Comput. Harmon. Anal. 59, 2022",
    where="random features ridge regression with N = d^kappa1 features and n = d^kappa2 samples",
)

"""Week 8's anti-copy gates: generated images must not be real images, their shifts or blends.

The evaluator samples the generator itself (latent vectors from a seed the student
never sees), so a generator cannot hand back chosen images; it can still *store*
real images in its weights. These per-sample measures catch that, against every
real image the instructor has (training and held-out digits) and their one-pixel
shifts:

- copy distance: L2 from each sample to the nearest real or shifted real image;
  a sample closer than ``copy_distance`` is a copy (a noised copy too, up to
  that much noise);
- blend distance: L2 from each sample to the nearest segment between two of its
  ``blend_neighbours`` nearest real images; mixes of two stored images lie on
  such a segment;
- roughness: the mean difference between neighbouring pixels, relative to held-out
  real images; a copy hidden under strong noise (too far for the copy distance) is
  rougher than any digit;
- feature distance: the Fréchet distance between the judge's hidden features of
  the samples and of held-out real images (FID-style): patterns optimised to fool
  a classifier and noise sit far from real digits in feature space.

Thresholds are measured in docs/course/week08.md (``bench/generator_gates.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg
from scipy.spatial.distance import cdist

SHIFTS = tuple((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def with_shifts(images: np.ndarray, *, side: int, background: float = -1.0) -> np.ndarray:
    """`images` (n, side*side) and their 8 one-pixel shifts, filled with `background`."""
    square = images.reshape(len(images), side, side)
    padded = np.pad(square, ((0, 0), (1, 1), (1, 1)), constant_values=background)
    out = [
        padded[:, 1 - dy : 1 - dy + side, 1 - dx : 1 - dx + side].reshape(len(images), -1)
        for dy, dx in SHIFTS
    ]
    return np.concatenate(out)


def nearest(
    x: np.ndarray, bank: np.ndarray, k: int, chunk: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Distances and indices of each row's `k` nearest rows of `bank`, ascending."""
    dists, index = [], []
    for i in range(0, len(x), chunk):
        d = cdist(x[i : i + chunk], bank)
        idx = np.argpartition(d, kth=min(k, d.shape[1] - 1), axis=1)[:, :k]
        part = np.take_along_axis(d, idx, axis=1)
        order = np.argsort(part, axis=1)
        dists.append(np.take_along_axis(part, order, axis=1))
        index.append(np.take_along_axis(idx, order, axis=1))
    return np.concatenate(dists), np.concatenate(index)


def blend_distances(x: np.ndarray, bank: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Per sample: distance to the closest segment [a, b] between two of its neighbours."""
    k = neighbours.shape[1]
    first, second = np.triu_indices(k, 1)
    best = np.full(len(x), np.inf)
    for i, row in enumerate(neighbours):
        a, b = bank[row[first]], bank[row[second]]  # (pairs, d)
        ab = b - a
        t = np.einsum("pd,pd->p", x[i] - a, ab) / np.maximum(np.einsum("pd,pd->p", ab, ab), 1e-12)
        point = a + np.clip(t, 0.0, 1.0)[:, None] * ab
        best[i] = np.sqrt(((point - x[i]) ** 2).sum(axis=1)).min()
    return best


def roughness(x: np.ndarray, reference: np.ndarray, *, side: int) -> float:
    """Mean neighbouring-pixel difference of `x`, relative to that of `reference`."""

    def tv(images: np.ndarray) -> float:
        square = images.reshape(len(images), side, side)
        return float(
            (np.abs(np.diff(square, axis=1)).mean() + np.abs(np.diff(square, axis=2)).mean()) / 2
        )

    return tv(x) / max(tv(reference), 1e-12)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature sets `a` and `b` (FID's formula)."""
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():  # near-singular covariances (few samples, dead units)
        warnings.simplefilter("ignore")
        root = linalg.sqrtm(cov_a @ cov_b)
    if np.iscomplexobj(root):
        root = root.real
    value = float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2.0 * root))
    return max(value, 0.0)


def copy_metrics(
    x: np.ndarray,
    real: np.ndarray,
    *,
    side: int,
    copy_distance: float,
    blend_distance: float,
    blend_neighbours: int = 12,
) -> dict[str, float]:
    """Fractions of samples that are copies (of real or shifted real images) or blends."""
    bank = with_shifts(real, side=side)
    dist, idx = nearest(x, bank, blend_neighbours)
    blends = blend_distances(x, bank, idx)
    return {
        "real_copy_l2": float(np.median(dist[:, 0])),
        "copied_share": float(np.mean(dist[:, 0] < copy_distance)),
        "blend_l2": float(np.median(blends)),
        "blended_share": float(np.mean(blends < blend_distance)),
    }

"""Procedural handwritten digits for weeks 5 and 6, drawn on the host from a seed.

Never released (``solutions/*/hidden/`` is in ``release_ignore``): the release holds only the
drawn public images and says what they look like, never how they are made.

Each digit is one of two or three hand-drawn styles (allographs: a 1 with or without a flag
and a base, a 4 open or closed, a 7 with or without a bar, ...) given as stroke skeletons
(polylines and arcs in a unit box, y down). Every sample moves each control point
independently, then maps the strokes through a random affine map (rotation, shear, scale,
aspect), draws them with a random pen width on a fine bitmap (4 px per output pixel), adds
scan noise (stray ink, dropped ink), and counts ink in 4x4 blocks: pixels 0..16 like the UCI
optdigits scans that scikit-learn's ``load_digits`` comes from. Nothing here reads those.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

Poly = np.ndarray


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 9) -> Poly:
    t = np.radians(np.linspace(a0, a1, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1)


def _line(*pts: tuple[float, float]) -> Poly:
    return np.array(pts, float)


def _join(*parts: Poly) -> Poly:
    return np.concatenate(parts)


# y grows downwards; angles: 0 = right, 90 = down. Each digit: a list of styles; a style is
# a list of strokes (polylines whose control points are jittered independently).
STYLES: dict[int, list[list[Poly]]] = {
    0: [
        [_arc(0.5, 0.5, 0.3, 0.42, -90, 270, 13)],
        [_arc(0.5, 0.5, 0.24, 0.42, -80, 285, 13)],
    ],
    1: [
        [_line((0.5, 0.08), (0.5, 0.92))],
        [_line((0.3, 0.28), (0.55, 0.08), (0.55, 0.92))],
        [_line((0.3, 0.28), (0.55, 0.08), (0.55, 0.92)), _line((0.3, 0.92), (0.8, 0.92))],
    ],
    2: [
        [
            _join(
                _arc(0.5, 0.32, 0.27, 0.23, 190, 370, 7),
                _line((0.74, 0.45), (0.2, 0.92), (0.82, 0.92)),
            )
        ],
        [
            _join(
                _arc(0.5, 0.3, 0.26, 0.22, 180, 360, 7),
                _line((0.76, 0.32), (0.25, 0.8)),
                _arc(0.32, 0.82, 0.1, 0.1, 270, 90, 5),
                _line((0.32, 0.92), (0.85, 0.88)),
            )
        ],
    ],
    3: [
        [_arc(0.47, 0.3, 0.26, 0.21, 200, 450, 9), _arc(0.47, 0.71, 0.29, 0.21, 270, 520, 9)],
        [
            _join(
                _line((0.2, 0.1), (0.78, 0.1), (0.45, 0.42)),
                _arc(0.47, 0.68, 0.3, 0.25, 270, 520, 9),
            )
        ],
    ],
    4: [
        [_line((0.66, 0.92), (0.66, 0.08), (0.16, 0.64), (0.86, 0.64))],
        [_line((0.3, 0.08), (0.2, 0.58), (0.86, 0.58)), _line((0.68, 0.28), (0.68, 0.92))],
    ],
    5: [
        [
            _join(
                _line((0.8, 0.1), (0.3, 0.1), (0.26, 0.46)),
                _arc(0.48, 0.67, 0.29, 0.25, 215, 500, 9),
            )
        ],
        [
            _line((0.3, 0.1), (0.26, 0.46)),
            _arc(0.48, 0.67, 0.29, 0.25, 215, 500, 9),
            _line((0.3, 0.1), (0.82, 0.1)),
        ],
    ],
    6: [
        [_join(_arc(0.78, 0.58, 0.52, 0.5, 245, 180, 6), _arc(0.5, 0.7, 0.25, 0.22, 180, 540, 11))],
        [_join(_line((0.7, 0.08), (0.3, 0.55)), _arc(0.5, 0.7, 0.25, 0.22, 200, 560, 11))],
    ],
    7: [
        [_line((0.18, 0.12), (0.82, 0.1), (0.4, 0.92))],
        [_line((0.18, 0.12), (0.82, 0.1), (0.45, 0.92)), _line((0.38, 0.5), (0.8, 0.5))],
        [_join(_line((0.18, 0.2), (0.2, 0.1), (0.82, 0.1)), _arc(0.1, 0.9, 0.72, 0.8, -5, -90, 6))],
    ],
    8: [
        [_arc(0.5, 0.29, 0.21, 0.2, 0, 360, 11), _arc(0.5, 0.7, 0.26, 0.22, 0, 360, 11)],
        [
            _join(
                _arc(0.5, 0.29, 0.21, 0.2, 90, 360, 9),
                _line((0.71, 0.29), (0.25, 0.72)),
                _arc(0.5, 0.72, 0.25, 0.2, 180, 540, 11)[:8],
                _line((0.3, 0.5), (0.29, 0.29)),
            )
        ],
    ],
    9: [
        [_join(_arc(0.5, 0.31, 0.25, 0.22, 0, 360, 11), _line((0.75, 0.31), (0.68, 0.92)))],
        [
            _join(
                _arc(0.5, 0.31, 0.25, 0.22, 0, 360, 11),
                _line((0.75, 0.31), (0.72, 0.7)),
                _arc(0.5, 0.7, 0.22, 0.22, 0, 120, 5),
            )
        ],
    ],
}


def _densify(poly: Poly, step: float) -> Poly:
    out = [poly[:1]]
    for a, b in zip(poly[:-1], poly[1:], strict=True):
        k = max(2, int(np.ceil(np.linalg.norm(b - a) / step)) + 1)
        out.append(a + (b - a) * np.linspace(0, 1, k)[1:, None])
    return np.concatenate(out)


JITTER = 0.035  # control-point jitter (unit box)
ROTATION = 8.0  # degrees, standard deviation
SHEAR = 0.3
SCALE = (0.8, 1.05)
ASPECT = (0.75, 1.1)  # width / height
CENTRE_JITTER = 0.3  # output pixels, standard deviation
BROKEN = 0.15  # share of digits with a pen lift
STRAY = 0.2  # share of digits with a stray mark
NOISE = 2.0  # sensor noise (output pixels): standard deviation drawn per image up to this
INK = (0.4, 1.0)  # ink darkness factor
PAPER = (0.0, 8.0)  # paper shade added to every pixel
GRADIENT = 8.0  # uneven light: standard deviation of the shade's slope across the canvas

_DISCS = {
    r: np.add.outer(np.arange(-3, 4) ** 2, np.arange(-3, 4) ** 2) <= r * r
    for r in (1.0, 1.5, 2.0, 2.5, 3.0)
}


def render(
    label: int,
    rng: np.random.Generator,
    *,
    size: int = 8,
    digit_size: float = 8.0,
    offset: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """One digit as ``size x size`` counts of ink in 4x4 blocks (0..16), flattened.

    ``digit_size`` is the digit's height in output pixels before the random scale;
    ``offset`` moves its centre (output pixels, (dy, dx)) from the canvas centre.
    """
    styles = STYLES[label]
    style = styles[rng.integers(len(styles))]
    polys = [p + rng.normal(0, JITTER, size=p.shape) for p in style]
    angle = np.radians(np.clip(rng.normal(0, ROTATION), -2 * ROTATION, 2 * ROTATION))
    shear = rng.uniform(-SHEAR, SHEAR)
    scale = rng.uniform(*SCALE)
    aspect = rng.uniform(*ASPECT)
    A = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ np.array(
        [[scale * aspect, shear * scale], [0.0, scale]]
    )
    hi = 4 * size
    unit = 4 * digit_size  # fine pixels per unit box
    centre = np.array([hi / 2 + 4 * offset[1], hi / 2 + 4 * offset[0]])  # (x, y)
    strokes = [_densify(p, 0.4 / unit) for p in polys]
    if rng.random() < BROKEN:  # a pen lift: a gap somewhere along one stroke
        k = int(rng.integers(len(strokes)))
        n = len(strokes[k])
        start, length = int(rng.integers(n)), int(rng.uniform(0.08, 0.25) * n)
        strokes[k] = np.delete(strokes[k], np.arange(start, min(n, start + length)), axis=0)
    if rng.random() < STRAY:  # a stray mark next to the digit
        a = rng.uniform(-0.1, 1.1, size=2)
        b = a + rng.normal(0, 0.2, size=2)
        strokes.append(_densify(np.stack([a, b]), 0.4 / unit))
    pts = np.concatenate(strokes) - 0.5
    pts = pts @ A.T * unit + centre + rng.normal(0, 4 * CENTRE_JITTER, size=2)
    ij = np.round(pts[:, ::-1] - 0.5).astype(int)
    ij = ij[(ij >= 0).all(1) & (ij < hi).all(1)]
    bitmap = np.zeros((hi, hi), bool)
    bitmap[ij[:, 0], ij[:, 1]] = True
    radius = float(rng.choice(list(_DISCS), p=[0.1, 0.35, 0.35, 0.15, 0.05]))
    bitmap = ndimage.binary_dilation(bitmap, structure=_DISCS[radius])
    # scan noise: dropped ink and stray specks, at a per-image rate
    bitmap &= rng.random(bitmap.shape) >= rng.uniform(0.0, 0.15)
    bitmap |= rng.random(bitmap.shape) < rng.uniform(0.0, 0.03)
    counts = bitmap.reshape(size, 4, size, 4).sum(axis=(1, 3)).astype(float)
    counts *= rng.uniform(*INK)  # ink darkness
    yy, xx = (np.mgrid[0:size, 0:size] + 0.5) / size - 0.5
    tilt = rng.normal(0, 1, size=2) * GRADIENT
    counts += rng.uniform(*PAPER) + tilt[0] * yy + tilt[1] * xx  # paper shade, uneven light
    counts += rng.normal(0, rng.uniform(0, NOISE), size=counts.shape)  # sensor noise
    return np.clip(np.round(counts), 0, 16).reshape(-1).astype(np.uint8)


def draw(
    n: int,
    rng: np.random.Generator,
    *,
    size: int = 8,
    digit_size: float = 8.0,
    max_offset: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` digits with balanced random labels: ``X`` (n, size*size) uint8 0..16, ``y`` int64."""
    y = rng.permutation(np.arange(n) % 10).astype(np.int64)
    offsets = rng.uniform(-max_offset, max_offset, size=(n, 2))
    X = np.stack(
        [
            render(int(label), rng, size=size, digit_size=digit_size, offset=(dy, dx))
            for label, (dy, dx) in zip(y, offsets, strict=True)
        ]
    )
    return X, y

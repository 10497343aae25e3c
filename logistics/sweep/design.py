"""Designs: the points of a sweep, from its spec alone (same spec, same points).

``grid`` (every combination: ``levels`` values across each range, every listed value),
``lhs`` (Latin hypercube, :class:`scipy.stats.qmc.LatinHypercube`), ``sobol`` (Saltelli's scheme
for first and total-order indices, :func:`SALib.sample.sobol.sample`, ``samples`` x (k + 2)
points) and ``morris`` (``samples`` trajectories, :func:`SALib.sample.morris.sample`, k + 1
points each). A parameter given by ``values`` is sampled as an index over its values.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from logistics.sweep.spec import Parameter, SweepSpec

__all__ = ["MORRIS_LEVELS", "design", "n_points", "salib_problem"]

#: Grid levels of the Morris design (SALib's default).
MORRIS_LEVELS = 4


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """SALib problem: one variable per parameter (its range, or [0, number of values])."""
    bounds = [
        [min(p.range), max(p.range)] if p.range else [0.0, float(len(p.values or ()))]
        for p in spec.parameters
    ]
    return {
        "num_vars": len(spec.parameters),
        "names": [p.path for p in spec.parameters],
        "bounds": bounds,
    }


def n_points(spec: SweepSpec) -> int:
    """Number of points of the design (without building it)."""
    k = len(spec.parameters)
    if spec.design == "grid":
        return int(np.prod([len(p.values) if p.values else spec.levels for p in spec.parameters]))
    if spec.design == "sobol":
        return spec.samples * (k + 2)
    if spec.design == "morris":
        return spec.samples * (k + 1)
    return spec.samples


def _value(p: Parameter, x: float) -> Any:
    if p.values is None:
        return float(x)
    return p.values[min(int(x), len(p.values) - 1)]


def design(spec: SweepSpec) -> tuple[pd.DataFrame, np.ndarray]:
    """The points of ``spec``.

    Returns
    -------
    (DataFrame, ndarray)
        One row per point (``point`` and one column per parameter path, holding its value), and
        the numeric design matrix SALib analyses (values, or indices for listed values).
    """
    problem = salib_problem(spec)
    if spec.design == "grid":
        axes = [
            np.round(np.linspace(p.range[0], p.range[1], spec.levels), 10)
            if p.range
            else np.arange(len(p.values or ()), dtype=float)
            for p in spec.parameters
        ]
        X = np.array(list(itertools.product(*axes)), dtype=float)
    elif spec.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=problem["num_vars"], seed=spec.seed).random(spec.samples)
        b = np.array(problem["bounds"])
        X = b[:, 0] + unit * (b[:, 1] - b[:, 0])
    elif spec.design == "sobol":
        from SALib.sample import sobol

        X = sobol.sample(problem, spec.samples, calc_second_order=False, seed=spec.seed)
    else:
        from SALib.sample import morris

        X = morris.sample(problem, spec.samples, num_levels=MORRIS_LEVELS, seed=spec.seed)
    X = np.asarray(X, dtype=float)
    columns: dict[str, Any] = {"point": np.arange(len(X), dtype=np.int64)}
    for j, p in enumerate(spec.parameters):
        columns[p.path] = [_value(p, x) for x in X[:, j]]
    return pd.DataFrame(columns), X

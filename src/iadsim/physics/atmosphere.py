r"""The US Standard Atmosphere 1976 (and a one-exponential fit), as arrays and as compiled scalars.

Below 86 km (84.852 km geopotential) the model is the standard's seven layers (NOAA/NASA/USAF,
*U.S. Standard Atmosphere, 1976*, NOAA-S/T 76-1562): geopotential altitude ``H = r0 h / (r0 + h)``,
``r0 = 6356.766 km``; in layer ``b`` (base ``H_b``, ``T_b``, ``p_b``, lapse ``L_b``)::

    T = T_b + L_b (H - H_b)
    p = p_b (T_b / T)^(g0 M / (R* L_b))           (L_b != 0)
    p = p_b exp(-g0 M (H - H_b) / (R* T_b))        (L_b == 0)
    rho = p M / (R* T),        a = sqrt(gamma R* T / M)

with ``g0 = 9.80665 m/s^2``, ``M = 0.0289644 kg/mol``, ``R* = 8.31432 J/(mol K)``, ``gamma = 1.4``
(eqs. 18, 33a, 33b, 42, 50 of the standard). Above 84.852 km the atmosphere is continued isothermally at the
top temperature (186.87 K): density there is below 7e-6 kg/m^3 and falls by e every 5.5 km, so drag is
negligible for every object iadsim flies, and the continuation stays finite at any altitude (the standard's
own upper layers matter only to orbital decay). Below 0 the first layer is extended.

The array functions use only the real part of ``h`` for branch decisions, so they are safe for the
complex-step Jacobians of the tracker; the ``_scalar`` functions are numba-compiled for the fly-out kernels.
"""

from __future__ import annotations

import math

import numpy as np

from iadsim._numba import njit

# layers 0..6 below 84.852 km geopotential: base geopotential altitude (m), base temperature (K), lapse (K/m)
_H = np.array([0.0, 11e3, 20e3, 32e3, 47e3, 51e3, 71e3, 84852.0])
_T = np.array([288.15, 216.65, 216.65, 228.65, 270.65, 270.65, 214.65, 186.87])
_L = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3, 0.0])
G0_US76, M_AIR, R_STAR, R0_US76, GAMMA_AIR = 9.80665, 0.0289644, 8.31432, 6356766.0, 1.4


def _base_pressures() -> np.ndarray:
    p = [101325.0]
    for k in range(len(_H) - 1):
        dH = _H[k + 1] - _H[k]
        Tb, L = _T[k], _L[k]
        if L == 0.0:
            p.append(p[-1] * np.exp(-G0_US76 * M_AIR * dH / (R_STAR * Tb)))
        else:
            p.append(p[-1] * (Tb / (Tb + L * dH)) ** (G0_US76 * M_AIR / (R_STAR * L)))
    return np.array(p)


_P = _base_pressures()
# the isothermal top layer starts at the temperature the last standard layer reaches
_T[-1] = _T[-2] + _L[-2] * (_H[-1] - _H[-2])


def _layer(h):
    h = np.asarray(h)
    H = R0_US76 * h / (R0_US76 + h)
    b = np.clip(np.searchsorted(_H, np.real(H), side="right") - 1, 0, len(_H) - 1)
    return H, b


def us1976_temperature(h):
    """Kinetic temperature (K) at geometric altitude ``h`` (m), any shape (module docstring)."""
    H, b = _layer(h)
    return _T[b] + _L[b] * (H - _H[b])


def us1976_density(h):
    """Air density (kg/m^3) at geometric altitude ``h`` (m), any shape; complex-step safe."""
    H, b = _layer(h)
    Hb, Tb, L, pb = _H[b], _T[b], _L[b], _P[b]
    dH = H - Hb
    T = Tb + L * dH
    iso = L == 0.0
    L_safe = np.where(iso, 1.0, L)
    T_safe = np.where(iso, Tb, T)
    p = np.where(iso, pb * np.exp(-G0_US76 * M_AIR * dH / (R_STAR * Tb)),
                 pb * (Tb / T_safe) ** (G0_US76 * M_AIR / (R_STAR * L_safe)))
    return p * M_AIR / (R_STAR * T)


def speed_of_sound(h):
    """Speed of sound (m/s) ``sqrt(gamma R* T / M)`` at geometric altitude ``h`` (m)."""
    return np.sqrt(GAMMA_AIR * R_STAR * us1976_temperature(h) / M_AIR)


def exponential_density(h):
    """Exponential atmosphere ``rho = 1.225 exp(-h / 7000)`` (kg/m^3), as in Li & Jilkov 2010 (Part II).

    ``rho0 = 1.225`` kg/m^3 is the sea-level density of the US Standard Atmosphere 1976; the 7 km scale
    height is the usual single-exponential fit below ~100 km (e.g. Zarchan, *Tactical and Strategic Missile
    Guidance*, ch. on ballistic re-entry, uses 22,000 ft = 6.7 km).
    """
    return 1.225 * np.exp(-h / 7000.0)


@njit
def us1976_scalar(h):
    """``(rho, a)``: density (kg/m^3) and speed of sound (m/s) at geometric altitude ``h`` (m), compiled."""
    H = R0_US76 * h / (R0_US76 + h)
    b = 0
    for k in range(1, _H.size):
        if H >= _H[k]:
            b = k
    Tb, L, pb = _T[b], _L[b], _P[b]
    dH = H - _H[b]
    if L == 0.0:
        T = Tb
        p = pb * math.exp(-G0_US76 * M_AIR * dH / (R_STAR * Tb))
    else:
        T = Tb + L * dH
        p = pb * (Tb / T) ** (G0_US76 * M_AIR / (R_STAR * L))
    return p * M_AIR / (R_STAR * T), math.sqrt(GAMMA_AIR * R_STAR * T / M_AIR)

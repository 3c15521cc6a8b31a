"""Surface clutter at low grazing angles and the MTI / Doppler notch.

Units: SI, radians; reflectivities and ratios are linear power ratios (``Decibel`` fields are converted at
load).

Model (per target, for the surface patch at the target's slant range ``R`` in the beam pointed at it):

* **Geometry on the 4/3 earth** (radius ``a_e = k a``), radar at height ``h`` above the surface:
  grazing angle ``sin psi = h / R - R / (2 a_e)`` and depression angle of the patch
  ``sin delta = h / R + R / (2 a_e)`` (Skolnik, *Radar Handbook*, 3rd ed., 2008, ch. 15 (sea clutter, the
  grazing-angle geometry) and ch. 16 (land clutter); Long, *Radar Reflectivity of Land and Sea*, 3rd ed.,
  2001, ch. 2). ``psi <= 0`` (the patch beyond the radar horizon, ``R >= sqrt(2 a_e h)``) gives no clutter.
* **Constant-gamma reflectivity** ``sigma0 = gamma sin psi`` (Nathanson, *Radar Design Principles*, 2nd ed.,
  1991, ch. 7; Richards, Scheer & Holm, *Principles of Modern Radar*, 2010, sect. 5.3.3). Land patches take
  ``gamma_land``, sea patches ``gamma_sea`` (typical values: about -15 dB for wooded hills, -30 dB for sea
  state 3 to 4 at S band; Nathanson 1991 tables 7.x, Barton, *Radar System Analysis and Modeling*, 2005,
  sect. 3.2).
* **Patch area**, pulse-limited at low grazing and beam-limited above:
  ``A = min(R theta_az dR sec psi, pi R^2 theta_az theta_el / (4 sin psi))`` (Richards et al. 2010,
  eqs. 5.9 and 5.11; Skolnik 2001, sect. 7.2), so ``sigma_c = sigma0 A``.
* **Antenna pattern**: a Gaussian main beam with a sidelobe floor, one-way power gain relative to the peak
  ``g(d) = max(exp(-4 ln 2 (d / theta_el)^2), SL)`` at the angle ``d = el_target + delta`` between the
  beam and the patch (Barton 2005, sect. 3.3, the Gaussian approximation of the main lobe); two-way
  ``g^2``.
* **Clutter-to-noise** by the same radar equation as the target (the reference detection fixes every
  radar constant): ``CNR = SNR_ref (sigma_c g^2 / sigma_ref) (R_ref / R)^4``.
* **Doppler processing**: a target with radial speed inside the notch, ``|rdot| < v_notch``, is rejected
  with the clutter and is not detected (a drone flying tangentially); outside the notch the clutter is
  attenuated by the improvement factor ``I``. The detection draw uses the signal-to-clutter-plus-noise
  ratio ``SINR = SNR / (1 + CNR / I [+ JNR])``, clutter after the filter treated as noise-like (Richards et
  al. 2010, sect. 17.4 on MTI improvement factor; Skolnik 2001, ch. 3).
"""

from __future__ import annotations

import numpy as np

__all__ = ["GAMMA_LAND", "GAMMA_SEA", "beam_gain", "clutter_rcs", "grazing_angles"]

#: default constant-gamma reflectivities (linear): land -15 dB (wooded hills), sea -30 dB (sea state 3-4)
GAMMA_LAND = 10.0 ** (-15.0 / 10.0)
GAMMA_SEA = 10.0 ** (-30.0 / 10.0)


def grazing_angles(r, h, a_e):
    """``(sin psi, sin delta)`` of the surface patch at slant range ``r`` (m) for a radar ``h`` (m) above
    the surface on an earth of effective radius ``a_e`` (m) (module docstring)."""
    r = np.asarray(r, float)
    q = r / (2.0 * a_e)
    hr = h / np.where(r > 0, r, 1.0)
    return hr - q, np.minimum(hr + q, 1.0)


def beam_gain(offset, theta, sidelobe):
    """One-way power gain relative to the peak at ``offset`` (rad) from the beam axis: Gaussian main beam of
    3-dB width ``theta`` with a floor at ``sidelobe`` (linear)."""
    x = np.asarray(offset, float) / theta
    return np.maximum(np.exp(-4.0 * np.log(2.0) * x * x), sidelobe)


def clutter_rcs(r, sin_psi, gamma, d_range, theta_az, theta_el):
    """Clutter RCS ``sigma_c = gamma sin psi A`` (m^2) of the patch at range ``r`` (module docstring);
    zero where ``sin psi <= 0``."""
    s = np.clip(np.asarray(sin_psi, float), 0.0, 1.0)
    cos = np.sqrt(1.0 - s * s)
    r = np.asarray(r, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pulse = r * theta_az * d_range / cos
        beam = np.pi * r * r * theta_az * theta_el / (4.0 * s)
        area = np.where(s > 0, np.minimum(pulse, beam), 0.0)
    return np.asarray(gamma, float) * s * area

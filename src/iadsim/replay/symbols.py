"""MIL-STD-2525D symbol identification codes (SIDCs) for what the replay draws.

The replay draws every unit and every moving object as a MIL-STD-2525D symbol rendered by the milsymbol
library (front-end). This module is the one table from iadsim's kinds and classes to 20-digit 2525D
SIDCs (MIL-STD-2525D, *Joint Military Symbology*, 2014, section 5 and appendices A, C, D, F):

=========== ============== ======================================================== ====================
kind        class / type   symbol (identity, symbol set, entity, sector-1 modifier) SIDC
=========== ============== ======================================================== ====================
threat      ``ballistic``  hostile air missile, *ballistic*                         10060200001100000600
threat      ``cruise``     hostile air missile, *cruise*                            10060200001100000700
threat      ``drone``      hostile air, military unmanned aerial vehicle            10060100001103000000
threat      ``aircraft``   hostile air, military fixed wing                         10060100001101000000
threat      ``rv``         hostile air missile, *ballistic* (re-entry vehicle)      10060200001100000600
threat      ``decoy``      hostile air missile, *ballistic*, feint/dummy indicator  10060201001100000600
threat      ``stage``      unknown air missile (a spent stage is no threat)         10010200001100000000
threat      (any other)    unknown air, no entity: a generic air track (fallback)   10010100000000000000
interceptor (any)          friend air missile, *interceptor*                        10030200001100000800
track       a threat class as the threat of that class, drawn unfilled              (as above)
track       ``unknown``    unknown air, no entity                                   10010100000000000000
fire unit   (any)          friend land unit, air defense missile, battery echelon   10031000151301020000
sensor      early warning  friend land equipment, radar, *early warning radar*      10031500002203000300
sensor      (any other)    friend land equipment, radar                             10031500002203000000
asset       (any)          friend land installation, military                       10032000001100000000
=========== ============== ======================================================== ====================

Digits: version ``10`` (2525D), context ``0`` (reality), standard identity (``1`` unknown, ``3`` friend,
``6`` hostile), symbol set (``01`` air, ``02`` air missile, ``10`` land unit, ``15`` land equipment,
``20`` land installation), status ``0`` (present), HQ/task force/dummy (``1`` feint/dummy), amplifier
(``15`` company/battery echelon), entity (6 digits), sector-1 and sector-2 modifiers (2 digits each).

Classes are open-ended: a truth class this table does not know gets the generic air track (never an
error), so a run from a later iadsim with new classes still replays.
"""

from __future__ import annotations

#: hostile (or unknown) symbols of the threat classes (truth and tracks)
THREAT_SIDC: dict[str, str] = {
    "ballistic": "10060200001100000600",
    "cruise": "10060200001100000700",
    "drone": "10060100001103000000",
    "aircraft": "10060100001101000000",
    "rv": "10060200001100000600",
    "decoy": "10060201001100000600",
    "stage": "10010200001100000000",
}
#: an air track of unknown identity and type: the fallback for any class not in :data:`THREAT_SIDC`
GENERIC_AIR_SIDC = "10010100000000000000"
INTERCEPTOR_SIDC = "10030200001100000800"
FIRE_UNIT_SIDC = "10031000151301020000"
RADAR_SIDC = "10031500002203000000"
EARLY_WARNING_RADAR_SIDC = "10031500002203000300"
ASSET_SIDC = "10032000001100000000"


def threat_sidc(cls: str) -> str:
    """The SIDC of a threat (or track) of class ``cls``; the generic air track for an unknown class."""
    return THREAT_SIDC.get(str(cls), GENERIC_AIR_SIDC)


def sensor_sidc(sensor_type: str) -> str:
    """The SIDC of a sensor of catalog type ``sensor_type`` (layout.json ``sensors[].type``): the early-warning
    radar modifier when the type's name says so (``early_warning_radar``), the plain radar otherwise."""
    return EARLY_WARNING_RADAR_SIDC if "early_warning" in str(sensor_type) else RADAR_SIDC

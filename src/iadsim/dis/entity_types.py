"""The catalog of iadsim as DIS entity types, and the enumerations the PDUs carry.

Values are those of SISO-REF-010 (Enumerations for Simulation Interoperability, v28 and later; the
entity-type tree of IEEE 1278.1 6.2.30). The geography of iadsim's examples is fictional, so the country
is 0 (Other) and subcategory and specific are 0 (generic); the mapping is by threat class, interceptor layer
and sensor role, so catalog overrides and new catalog types map too.

========================  =======================================================  ==================
iadsim                    SISO-REF-010 (kind.domain.country.category)              entity type
========================  =======================================================  ==================
ballistic threat          munition . tactical (max range <= 1000 km, else          2.11.0.2 / 2.10.0.2
                          strategic) . ballistic
cruise threat             munition . tactical . guided                             2.11.0.1
drone threat              platform . air . unmanned                                1.2.0.50
aircraft threat           platform . air . fighter/air defense                     1.2.0.1
interceptor (any layer)   munition . anti-air . guided                             2.1.0.1
fire unit                 platform . land . air defense / missile defense unit     1.1.0.28
                          equipment
surveillance radar site   platform . land . surveillance facility                  1.1.0.32
fire-control radar site   platform . land . fire control facility                  1.1.0.37
command post              platform . land . command facility                       1.1.0.34
========================  =======================================================  ==================

In the other direction (:func:`threat_class_of`, the live mode's external entities): munition with
category ballistic -> ballistic; other munitions -> cruise; air platform of category unmanned -> drone;
other air platforms -> aircraft; anything else -> None (the receiver's default class applies).

Force ID (SISO-REF-010 UID 6): the defense is 1 (Friendly), threats are 2 (Opposing). Appearance (SISO-REF-010
general appearance record): bits 3-4 damage (3 = destroyed), bit 23 state (1 = deactivated).
"""

from __future__ import annotations

from iadsim.dis.pdu import EntityType

KIND_PLATFORM, KIND_MUNITION = 1, 2
DOMAIN_LAND, DOMAIN_AIR = 1, 2
MUNITION_ANTI_AIR, MUNITION_STRATEGIC, MUNITION_TACTICAL = 1, 10, 11
MUNITION_GUIDED, MUNITION_BALLISTIC = 1, 2
AIR_FIGHTER, AIR_UNMANNED = 1, 50
LAND_AD_UNIT, LAND_SURVEILLANCE, LAND_COMMAND, LAND_FIRE_CONTROL = 28, 32, 34, 37
COUNTRY_OTHER = 0

FORCE_FRIENDLY, FORCE_OPPOSING = 1, 2

#: detonation results (SISO-REF-010 UID 62)
RESULT_ENTITY_IMPACT, RESULT_ENTITY_PROXIMATE, RESULT_GROUND_IMPACT, RESULT_DETONATION = 1, 2, 3, 5
RESULT_NAMES = {0: "other", 1: "entity impact", 2: "entity proximate detonation", 3: "ground impact",
                4: "ground proximate detonation", 5: "detonation", 6: "none (dud)"}
#: munition descriptor warheads (UID 60) and fuses (UID 61)
WARHEAD_HE_FRAG, WARHEAD_KINETIC = 1300, 5000
FUSE_CONTACT, FUSE_PROXIMITY = 1000, 3000

#: appearance bits (general appearance record)
APPEARANCE_DESTROYED = 3 << 3
APPEARANCE_DEACTIVATED = 1 << 23

#: the ballistic missiles above this range are strategic (m)
STRATEGIC_RANGE = 1.0e6

INTERCEPTOR = EntityType(KIND_MUNITION, MUNITION_ANTI_AIR, COUNTRY_OTHER, MUNITION_GUIDED)
FIRE_UNIT = EntityType(KIND_PLATFORM, DOMAIN_LAND, COUNTRY_OTHER, LAND_AD_UNIT)
COMMAND_POST = EntityType(KIND_PLATFORM, DOMAIN_LAND, COUNTRY_OTHER, LAND_COMMAND)


def threat_type(cls: str, max_range: float | None = None) -> EntityType:
    """Entity type of a threat of class ``cls`` (one of ``THREAT_CLASSES``; module docstring)."""
    if cls == "ballistic":
        domain = MUNITION_STRATEGIC if max_range is not None and max_range > STRATEGIC_RANGE else MUNITION_TACTICAL
        return EntityType(KIND_MUNITION, domain, COUNTRY_OTHER, MUNITION_BALLISTIC)
    if cls == "cruise":
        return EntityType(KIND_MUNITION, MUNITION_TACTICAL, COUNTRY_OTHER, MUNITION_GUIDED)
    if cls == "drone":
        return EntityType(KIND_PLATFORM, DOMAIN_AIR, COUNTRY_OTHER, AIR_UNMANNED)
    if cls == "aircraft":
        return EntityType(KIND_PLATFORM, DOMAIN_AIR, COUNTRY_OTHER, AIR_FIGHTER)
    raise ValueError(f"unknown threat class {cls!r}")


def radar_type(role: str) -> EntityType:
    """Entity type of a radar site of ``role`` (``surveillance`` or ``fire_control``)."""
    return EntityType(KIND_PLATFORM, DOMAIN_LAND, COUNTRY_OTHER,
                      LAND_FIRE_CONTROL if role == "fire_control" else LAND_SURVEILLANCE)


def threat_class_of(t: EntityType) -> str | None:
    """The threat class an external entity of type ``t`` is taken for (module docstring), or None."""
    if t.kind == KIND_MUNITION:
        return "ballistic" if t.category == MUNITION_BALLISTIC else "cruise"
    if t.kind == KIND_PLATFORM and t.domain == DOMAIN_AIR:
        return "drone" if t.category == AIR_UNMANNED else "aircraft"
    return None


def warhead_fuse(lethality_kind: str) -> tuple[int, int]:
    """Munition descriptor (warhead, fuse) of an interceptor with the given lethality model."""
    if lethality_kind == "hit_to_kill":
        return WARHEAD_KINETIC, FUSE_CONTACT
    return WARHEAD_HE_FRAG, FUSE_PROXIMITY

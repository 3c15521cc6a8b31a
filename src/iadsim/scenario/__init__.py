"""Scenario language: YAML -> validated frozen models -> compiled SI arrays."""

from iadsim.scenario.compiled import CompiledScenario
from iadsim.scenario.load import compile_scenario, load_scenario, scenario_from_data
from iadsim.scenario.model import Scenario

__all__ = ["CompiledScenario", "Scenario", "compile_scenario", "load_scenario", "scenario_from_data"]

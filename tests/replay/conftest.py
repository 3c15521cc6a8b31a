"""A written quickstart run (seed 1) shared by the replay tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory):
    from iadsim.engine import simulate
    from iadsim.scenario import load_scenario

    out = tmp_path_factory.mktemp("replay_run")
    simulate(load_scenario("examples/scenarios/quickstart.yaml"), 1).write(out)
    return out


@pytest.fixture(scope="session")
def run(run_dir):
    from iadsim.rundir import read_run_dir

    return read_run_dir(run_dir)


@pytest.fixture(scope="session")
def truth(run):
    """The truth table as a dict of numpy arrays."""
    t = run.table("truth")
    return {c: t.column(c).to_numpy(zero_copy_only=False) for c in t.column_names}

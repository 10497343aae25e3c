"""Scenarios: built-ins, extends and overrides, diff, errors with file and line, fuzzed loader."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.parameters import load_parameters
from logistics.scenarios import (
    CrossingOverride,
    Scenario,
    ScenarioError,
    diff_scenarios,
    list_scenarios,
    load_scenario,
)

BUILT_INS = {
    "status-quo",
    "through-trucking",
    "single-stop",
    "single-window",
    "24h-borders",
    "harmonized-axle-loads",
    "full-integration",
}


def test_built_ins_listed_and_valid() -> None:
    names = list_scenarios()
    assert set(names) == BUILT_INS
    assert names[0] == "status-quo"
    for name in names:
        sc = load_scenario(name)
        assert sc.name == name
        assert sc.description
        sc.check_crossings(load_parameters())


def test_what_each_built_in_changes() -> None:
    p = load_parameters()
    sq = load_scenario("status-quo")
    rule = sq.border_rule(p, "na-phao-cha-lo", "LA", "VN")
    assert not rule.through_trucking and not rule.single_stop
    assert rule.exit_hours.text == "07:00-17:00"

    assert (
        load_scenario("through-trucking")
        .border_rule(p, "na-phao-cha-lo", "LA", "VN")
        .through_trucking
    )
    assert load_scenario("single-stop").border_rule(p, "na-phao-cha-lo", "LA", "VN").single_stop
    sw = load_scenario("single-window").border_rule(p, "na-phao-cha-lo", "LA", "VN")
    assert sw.entry_clearance.median_h == pytest.approx(rule.entry_clearance.median_h * 0.7)
    assert sw.documentary_h == pytest.approx(rule.documentary_h * 0.7)
    h24 = load_scenario("24h-borders").border_rule(p, "na-phao-cha-lo", "LA", "VN")
    assert h24.exit_hours.always_open and h24.entry_hours.always_open
    countries = ["TH", "LA", "VN"]
    strict = sq.capacity_t(p, countries)
    assert strict == pytest.approx(min(p.country(c).gvw_limit_t for c in countries) - 15.0)
    assert load_scenario("harmonized-axle-loads").capacity_t(p, countries) == pytest.approx(
        50.0 - 15.0
    )
    full = load_scenario("full-integration").border_rule(p, "na-phao-cha-lo", "LA", "VN")
    assert full.through_trucking and full.single_stop and full.exit_hours.always_open


def test_diff_shows_what_changes() -> None:
    df = diff_scenarios("status-quo", "24h-borders")
    assert df.to_dict("records") == [{"key": "opening_hours", "a": None, "b": "24h"}]
    assert diff_scenarios("status-quo", "status-quo").empty
    full = diff_scenarios("status-quo", "full-integration")
    assert set(full["key"]) == {
        "through_trucking",
        "single_stop",
        "single_window_cut",
        "opening_hours",
        "axle_loads",
    }


def test_user_file_extends_and_overrides_per_crossing(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        """
name = "mine"
extends = "single-window"
single_window_cut = 0.5

[general]
daily_driving_h = 10.0

[crossings."na-phao-cha-lo"]
opening_hours = "06:00-22:00"
through_trucking = true
entry_clearance_median_h = 3.0
entry_clearance_p90_h = 5.0
""",
        encoding="utf-8",
    )
    sc = load_scenario(path)
    assert sc.name == "mine" and sc.extends == "single-window"
    assert sc.single_window_cut == 0.5
    p = load_parameters()
    assert sc.general_value(p, "daily_driving_h") == 10.0
    rule = sc.border_rule(p, "na-phao-cha-lo", "VN", "LA")  # both directions
    assert rule.entry_hours.text == "06:00-22:00" and rule.through_trucking
    assert rule.entry_clearance.median_h == pytest.approx(3.0 * 0.5)
    other = sc.border_rule(p, "dansavanh-lao-bao", "LA", "VN")
    assert not other.through_trucking  # the override is per crossing
    diff = diff_scenarios("status-quo", path)
    assert "crossings.na-phao-cha-lo.through_trucking" in set(diff["key"])
    # a child of a user file, by relative path
    child = tmp_path / "child.toml"
    child.write_text('extends = "mine.toml"\nclearance_factor = 2.0\n', encoding="utf-8")
    c = load_scenario(child)
    assert c.name == "child" and c.single_window_cut == 0.5 and c.clearance_factor == 2.0
    assert c.override("na-phao-cha-lo") == sc.override("na-phao-cha-lo")


def test_unknown_scenario_lists_available_closest_first() -> None:
    with pytest.raises(
        ScenarioError, match=r"unknown scenario 'single-stp'; available: single-stop, "
    ) as info:
        load_scenario("single-stp")
    for name in BUILT_INS:
        assert name in str(info.value)
    with pytest.raises(ScenarioError, match="scenario file not found"):
        load_scenario("nope/missing.toml")


def test_unknown_key_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text(
        'name = "t"\nextends = "status-quo"\n\nsingle_windw_cut = 0.2\n', encoding="utf-8"
    )
    with pytest.raises(
        ScenarioError,
        match=rf"{path}, line 4: unknown key 'single_windw_cut' \(did you mean single_window_cut",
    ):
        load_scenario(path)
    path.write_text('name = "t"\n[crossings."na-phao-cha-lo"]\nopening = "24h"\n', encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=rf"{path}, line 3: unknown key 'opening' in crossing 'na-phao-cha-lo'"
    ):
        load_scenario(path)
    path.write_text('name = "t"\n[general]\nspeed = 3\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=rf"{path}, line 3: unknown general parameter 'speed'"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (
            "single_window_cut = 1.5",
            r"line 2: .*single_window_cut = 1.5 is not allowed; must be < 1",
        ),
        ("clearance_factor = 0", r"line 2: .*clearance_factor = 0 is not allowed; must be > 0"),
        ('axle_loads = "heavy"', r"axle_loads = 'heavy'; allowed: strictest, harmonized"),
        ('opening_hours = "7-17"', r"opening_hours.*malformed"),
        ("through_trucking = 1", r"through_trucking must be true or false"),
        (
            '[crossings."x"]\nentry_clearance_median_h = 3.0\nentry_clearance_p90_h = 2.0',
            r"P90 must be >= median",
        ),
        ('[crossings."x"]\ndocumentary_h = -1.0', r"documentary_h = -1.0 is not allowed"),
        ("name = [", r"invalid TOML"),
    ],
)
def test_bad_values_rejected(tmp_path: Path, body: str, match: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'extends = "status-quo"\n{body}\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=match):
        load_scenario(path)


def test_unknown_crossing_in_scenario(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('[crossings."na-phao"]\nthrough_trucking = true\n', encoding="utf-8")
    sc = load_scenario(path)
    with pytest.raises(ScenarioError, match=r"unknown crossing 'na-phao'.*known: na-phao-cha-lo"):
        sc.check_crossings(load_parameters())


def test_circular_extends(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="circular extends"):
        load_scenario(tmp_path / "a.toml")


def test_dataclasses_validate_themselves_and_pickle() -> None:
    with pytest.raises(ScenarioError, match="single_window_cut"):
        Scenario(name="x", single_window_cut=-0.1)
    with pytest.raises(ScenarioError, match="crossing id"):
        CrossingOverride(crossing_id="")
    sc = load_scenario("full-integration")
    assert pickle.loads(pickle.dumps(sc)) == sc
    with pytest.raises(AttributeError):
        sc.name = "other"  # type: ignore[misc]


# --------------------------------------------------------------------------- fuzzing


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_loader_fuzz_arbitrary_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    try:
        sc = load_scenario(path)
    except ScenarioError:
        return
    assert isinstance(sc, Scenario)


_KEYS = [
    "name",
    "description",
    "extends",
    "through_trucking",
    "single_stop",
    "single_window_cut",
    "clearance_factor",
    "opening_hours",
    "axle_loads",
    "harmonized_gvw_t",
    "port_dwell_factor",
    "bogus",
]
_CROSSING_KEYS = [
    "opening_hours",
    "through_trucking",
    "entry_clearance_median_h",
    "entry_clearance_p90_h",
    "odd",
]
_values = st.one_of(
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(
        ["24h", "closed", "07:00-17:00", "status-quo", "harmonized", "x", "", "mon 25:00-26:00"]
    ),
    st.lists(st.integers(0, 3), max_size=2),
)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value) if "e" not in repr(value) and "." in repr(value) else f"{value:.6f}"
    return str(value)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    top=st.dictionaries(st.sampled_from(_KEYS), _values, max_size=6),
    crossing=st.dictionaries(st.sampled_from(_CROSSING_KEYS), _values, max_size=4),
    general=st.dictionaries(
        st.sampled_from(["daily_driving_h", "tare_t", "nope"]), _values, max_size=2
    ),
    port=st.dictionaries(
        st.sampled_from(["gate_hours", "import_dwell_median_h", "import_dwell_p90_h", "x"]),
        _values,
        max_size=3,
    ),
)
def test_loader_fuzz_values(
    tmp_path: Path, top: dict, crossing: dict, general: dict, port: dict
) -> None:
    lines = [f"{k} = {_toml(v)}" for k, v in top.items()]
    if port:
        lines += ['[ports."*"]'] + [f"{k} = {_toml(v)}" for k, v in port.items()]
    if general:
        lines += ["[general]"] + [f"{k} = {_toml(v)}" for k, v in general.items()]
    if crossing:
        lines += ['[crossings."na-phao-cha-lo"]'] + [
            f"{k} = {_toml(v)}" for k, v in crossing.items()
        ]
    path = tmp_path / "fuzz.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        sc = load_scenario(path)
    except ScenarioError:
        return
    p = load_parameters()
    rule = sc.border_rule(p, "na-phao-cha-lo", "LA", "VN")
    assert rule.entry_clearance.p90_h >= rule.entry_clearance.median_h >= 0
    port_rule = sc.port_rule(p, "hai-phong")
    assert port_rule.import_dwell.p90_h >= port_rule.import_dwell.median_h >= 0


def test_wildcard_ports_and_countries(tmp_path: Path) -> None:
    path = tmp_path / "all.toml"
    path.write_text(
        """
extends = "status-quo"
[crossings."*"]
transload_cost_usd = 90.0
exit_hours = "24h"
[crossings."na-phao-cha-lo"]
transload_cost_usd = 200.0
[ports."*"]
import_dwell_median_h = 24.0
import_dwell_p90_h = 48.0
[ports."hai-phong"]
gate_hours = "06:00-22:00"
[countries."*"]
truck_cost_usd_per_h = 10.0
[countries.LA]
gvw_limit_t = 45.0
""",
        encoding="utf-8",
    )
    sc = load_scenario(path)
    p = load_parameters()
    sc.check_crossings(p)
    assert sc.border_rule(p, "mukdahan-savannakhet", "TH", "LA").transload_cost_usd == 90.0
    assert sc.border_rule(p, "na-phao-cha-lo", "LA", "VN").transload_cost_usd == 200.0  # named wins
    assert sc.border_rule(p, "na-phao-cha-lo", "LA", "VN").exit_hours.always_open
    assert sc.border_rule(p, "na-phao-cha-lo", "LA", "VN").entry_hours.text == "07:00-17:00"
    hp = sc.port_rule(p, "hai-phong")
    assert hp.import_dwell.median_h == 24.0 and hp.gate_hours.text == "06:00-22:00"
    assert sc.port_rule(p, "laem-chabang").gate_hours.always_open
    assert sc.country_rule(p, "TH").truck_cost_usd_per_h == 10.0
    assert sc.country_rule(p, "TH").truck_cost_usd_per_km == p.country("TH").truck_cost_usd_per_km
    assert sc.capacity_t(p, ["TH", "LA", "VN"]) == pytest.approx(45.0 - 15.0)
    keys = set(diff_scenarios("status-quo", path)["key"])
    assert {
        "ports.hai-phong.gate_hours",
        "countries.LA.gvw_limit_t",
        "crossings.*.exit_hours",
    } <= keys


def test_unknown_port_country_and_keys(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[ports."haiphong"]\ngate_hours = "24h"\n', encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=r"unknown port 'haiphong' in \[ports\]; known: hai-phong"
    ):
        load_scenario(path).check_crossings(load_parameters())
    path.write_text("[countries.XX]\ngvw_limit_t = 40.0\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"unknown country 'XX' in \[countries\]"):
        load_scenario(path).check_crossings(load_parameters())
    path.write_text('name = "p"\n[ports."hai-phong"]\ndwell_h = 3\n', encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=rf"{path}, line 3: unknown key 'dwell_h' in port 'hai-phong'"
    ):
        load_scenario(path)
    path.write_text(
        '[ports."hai-phong"]\nimport_dwell_median_h = 9.0\nimport_dwell_p90_h = 2.0\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"import_dwell_p90_h: P90 2\.0 h is below"):
        load_scenario(path)
    path.write_text("[countries.TH]\ngvw_limit_t = 0\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="gvw_limit_t = 0 is not allowed"):
        load_scenario(path)


def test_override_of_one_side_contradicting_the_table_is_refused(tmp_path: Path) -> None:
    """A P90 override below the shipped median is a load error, never silently raised."""
    p = load_parameters()
    base = load_scenario("status-quo").border_rule(p, "na-phao-cha-lo", "LA", "VN")
    low = base.entry_clearance.median_h / 2
    path = tmp_path / "low.toml"
    path.write_text(
        f'extends = "status-quo"\n[crossings."na-phao-cha-lo"]\nentry_clearance_p90_h = {low}\n',
        encoding="utf-8",
    )
    with pytest.raises(
        ScenarioError, match=r"low\.toml: .*na-phao-cha-lo.*P90 .* is below the median"
    ):
        load_scenario(path)

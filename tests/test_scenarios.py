"""Scenarios: built-ins, extends and overrides, diff, errors with file and line, fuzzed loader."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.parameters import GENERAL_NAMES, load_parameters
from logistics.rules.hours import HoursOfService
from logistics.scenarios import (
    CHECK_QUANTILES,
    GENERAL_ORDER,
    CrossingOverride,
    Scenario,
    ScenarioError,
    check_relaxation,
    diff_scenarios,
    list_scenarios,
    load_scenario,
    relaxation_pairs,
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
    assert df.to_dict("records") == [
        {"key": "opening_hours", "a": None, "b": "24h"},
        {"key": "ports.*.gate_hours", "a": None, "b": "24h"},
    ]
    assert diff_scenarios("status-quo", "status-quo").empty
    full = diff_scenarios("status-quo", "full-integration")
    assert set(full["key"]) == {
        "through_trucking",
        "single_stop",
        "single_window_cut",
        "opening_hours",
        "axle_loads",
        "port_dwell_factor",
        "ports.*.gate_hours",
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
            r"line 2: .*single_window_cut = 1.5 is not allowed; must be >= 0 and < 1",
        ),
        (
            "clearance_factor = 0",
            r"line 2: .*clearance_factor = 0 is not allowed; must be > 0 and <= 10",
        ),
        ("port_dwell_factor = 1e9", r"port_dwell_factor = 1000000000.0 is not allowed"),
        (
            '[crossings."*"]\ndocumentary_h = 1e17',
            r"line 3: crossing '\*': documentary_h = 1e\+17 is not allowed; must be >= 0 and <= 7",
        ),
        ('[crossings."*"]\nexit_fee_usd = 1e300', r"exit_fee_usd = 1e\+300 is not allowed"),
        ('[ports."*"]\nexport_dwell_p90_h = 9223372036854775807', r"export_dwell_p90_h = 92233"),
        ("[general]\nsailing_speed_kph = 0", r"line 3: .*sailing_speed_kph = 0 is not allowed"),
        ("[general]\ncontinuous_driving_h = 0.0", r"continuous_driving_h = 0.0 is not allowed"),
        ("[general]\nbreak_h = 25", r"break_h = 25 is not allowed; must be >= 0 and <= 24"),
        ('name = "../../x"', r"name: bad value '../../x'; allowed: 1-100 letters"),
        ('name = "/tmp/x"', r"name: bad value '/tmp/x'"),
        ('name = "a\\\\b"', r"name: bad value"),
        ('name = ""', r"name: bad value ''"),
        ('name = ".."', r"name: bad value '..'"),
        ('name = "a\\u0007b"', r"name: bad value 'a\\x07b'"),
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


# --------------------------------------------------------------------------- relaxations

#: The built-in pairs (relaxed, strict) where no parameter of the relaxed one is stricter.
DECLARED = [
    ("24h-borders", "status-quo"),
    ("full-integration", "harmonized-axle-loads"),
    ("single-window", "status-quo"),
    ("through-trucking", "status-quo"),
]


def test_built_in_relaxations_declared_where_they_hold() -> None:
    names = list_scenarios()
    assert relaxation_pairs(names) == DECLARED
    assert load_scenario("24h-borders").relaxes == ("status-quo",)
    assert load_scenario("status-quo").relaxes == ()
    for relaxed, strict in DECLARED:
        assert check_relaxation(relaxed, strict) == []
    # every other ordered pair has a stricter parameter, so the declarations are complete
    for a in names:
        for b in names:
            if a != b and (a, b) not in DECLARED:
                assert check_relaxation(a, b), (a, b)


def test_why_single_stop_and_axle_loads_relax_nothing() -> None:
    (stop,) = check_relaxation("single-stop", "status-quo")[:1]
    assert stop.startswith("crossing 'bukit-kayu-hitam-sadao' MY->TH at P50: the first stop")
    assert "(joint control) in 'single-stop' is closed 7 h a week" in stop  # 23-24 h MY time
    for name in ("harmonized-axle-loads", "full-integration"):
        assert check_relaxation(name, "status-quo") == [
            f"payload on a route through TH: capacity_t = 35 in {name!r} is lower than 35.5 in "
            "'status-quo'"
        ]
    assert relaxation_pairs(["status-quo", "full-integration"]) == []


def test_declared_relaxation_with_a_longer_clearance_fails_at_load(tmp_path: Path) -> None:
    path = tmp_path / "worse.toml"
    path.write_text(
        'name = "worse"\nextends = "24h-borders"\nrelaxes = ["status-quo"]\n'
        '[crossings."na-phao-cha-lo"]\nexit_clearance_p90_h = 5.0\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{path}, line 3: scenario 'worse' declares relaxes = ['status-quo']")
    assert (
        "crossing 'na-phao-cha-lo' LA->VN: exit_clearance_p90_h = 5 in 'worse' is higher than 3 "
        "in 'status-quo'" in message
    )
    # the same file without the declaration loads; the check still finds the problem
    path.write_text(path.read_text(encoding="utf-8").replace('relaxes = ["status-quo"]\n', ""))
    worse = load_scenario(path)
    assert any(
        "exit_clearance_p90_h = 5 in 'worse'" in p for p in check_relaxation(worse, "status-quo")
    )


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ('relaxes = "status-quo"', r"line 2: .*relaxes must be a list of scenario names"),
        ('relaxes = ["../etc/x"]', r"relaxes must be a list of scenario names .*no paths"),
        ('relaxes = ["status-qua"]', r"line 2: relaxes: unknown scenario 'status-qua'"),
        ('name = "me"\nrelaxes = ["me"]', r"never the scenario itself"),
        ('relaxes = ["status-quo", "status-quo"]', r"list each other scenario once"),
        ("[general]\ndaily_driving_h = 10.0\n[x]", r"unknown key 'x'"),
    ],
)
def test_bad_relaxes_rejected(tmp_path: Path, body: str, match: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'extends = "status-quo"\n{body}\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=match):
        load_scenario(path)


def test_longer_daily_driving_is_not_a_relaxation(tmp_path: Path) -> None:
    path = tmp_path / "long-days.toml"
    path.write_text(
        'extends = "status-quo"\nrelaxes = ["status-quo"]\n[general]\ndaily_driving_h = 10.0\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"general: daily_driving_h = 10 .* must be equal"):
        load_scenario(path)
    # why: after 10 h of driving the share of the daily allowance in use grows from 1/9 to 1
    p = load_parameters()
    hos = {
        h: HoursOfService.from_scenario(
            Scenario(name="x", general={"daily_driving_h": h}), p, "single"
        )
        for h in (9.0, 10.0)
    }
    assert hos[9.0].allowance_used(10.0) == pytest.approx(1 / 9)
    assert hos[10.0].allowance_used(10.0) == pytest.approx(1.0)


def test_relaxes_is_not_inherited_and_chains_through_files(tmp_path: Path) -> None:
    # a child of 24h-borders that lengthens clearances does not inherit its declaration
    slow = tmp_path / "slow.toml"
    slow.write_text('extends = "24h-borders"\nclearance_factor = 2.0\n', encoding="utf-8")
    assert load_scenario(slow).relaxes == ()
    assert check_relaxation(slow, "status-quo")
    # a sibling file relaxes 24h-borders, which relaxes status-quo: the chain is a pair too
    fast = tmp_path / "fast.toml"
    fast.write_text(
        'extends = "24h-borders"\nrelaxes = ["base"]\nsingle_window_cut = 0.2\n', encoding="utf-8"
    )
    (tmp_path / "base.toml").write_text(
        'extends = "24h-borders"\nrelaxes = ["24h-borders"]\n', encoding="utf-8"
    )
    assert load_scenario(fast).relaxes == ("base",)
    assert relaxation_pairs([fast, "24h-borders", "status-quo", "single-window"]) == [
        ("fast", "24h-borders"),
        ("fast", "status-quo"),
        ("24h-borders", "status-quo"),
        ("single-window", "status-quo"),
    ]
    assert check_relaxation(fast, "status-quo") == []
    assert check_relaxation(fast, "single-window")  # a 20 % cut is less than 30 %
    # a declaration in a Scenario built in code is checked too
    fake = Scenario(name="fake", clearance_factor=2.0, relaxes=("status-quo",))
    with pytest.raises(ScenarioError, match=r"scenario 'fake' declares relaxes = \['status-quo'\]"):
        relaxation_pairs([fake, "status-quo"])


def test_every_general_parameter_is_ordered_and_quantiles_are_the_fleets() -> None:
    from logistics.fleet.terms import PERCENTILES

    assert set(GENERAL_ORDER) == set(GENERAL_NAMES)
    assert tuple(q * 100 for q in CHECK_QUANTILES) == PERCENTILES


#: Knobs that only relax when moved one way: name -> (strict value, relaxing step, sign of a
#: relaxing move, a clearly stricter move). Each draw builds a chain c <- b <- a of scenarios.
_HOURS = ["07:00-17:00", "06:00-22:00", "05:00-23:00", "24h"]
_KNOBS = {
    "clearance_factor": (st.floats(1.0, 2.0), st.floats(0.0, 0.4), -1, 0.1),
    "single_window_cut": (st.floats(0.1, 0.4), st.floats(0.0, 0.25), +1, 0.1),
    "port_dwell_factor": (st.floats(1.0, 2.0), st.floats(0.0, 0.4), -1, 0.1),
    "hours": (st.just(1), st.integers(0, 1), +1, 1),
    "through": (st.just(0), st.integers(0, 1), +1, 0),
    "gvw_t": (st.floats(40.0, 48.0), st.floats(0.0, 2.0), +1, 1.0),
    "break_h": (st.floats(0.9, 1.0), st.floats(0.0, 0.4), -1, 0.1),
    "freight_usd": (st.floats(100.0, 300.0), st.floats(0.0, 50.0), -1, 10.0),
}


def _chain_member(knobs: dict[str, float], name: str) -> Scenario:
    return Scenario(
        name=name,
        clearance_factor=knobs["clearance_factor"],
        single_window_cut=knobs["single_window_cut"],
        port_dwell_factor=knobs["port_dwell_factor"],
        opening_hours=_HOURS[int(knobs["hours"])],
        through_trucking=True if knobs["through"] else None,
        axle_loads="harmonized",
        harmonized_gvw_t=knobs["gvw_t"],
        general={"break_h": knobs["break_h"], "sea_freight_base_usd": knobs["freight_usd"]},
    )


@settings(max_examples=6, deadline=None)
@given(
    strict=st.fixed_dictionaries({k: v[0] for k, v in _KNOBS.items()}),
    steps=st.lists(
        st.fixed_dictionaries({k: v[1] for k, v in _KNOBS.items()}), min_size=2, max_size=2
    ),
    tighten=st.sampled_from(sorted(k for k, v in _KNOBS.items() if v[3])),
)
def test_relaxation_chains_are_transitive(strict: dict, steps: list, tighten: str) -> None:
    chain = [strict]
    for step in steps:
        chain.append({k: chain[-1][k] + v[2] * step[k] for k, v in _KNOBS.items()})
    c, b, a = (_chain_member(knobs, n) for knobs, n in zip(chain, "cba", strict=True))
    assert check_relaxation(b, c) == []
    assert check_relaxation(a, b) == []
    assert check_relaxation(a, c) == []
    assert check_relaxation(c, c) == []
    # one knob moved the other way, by a clear margin, is caught
    worse = {**strict, tighten: strict[tighten] - _KNOBS[tighten][2] * _KNOBS[tighten][3]}
    assert check_relaxation(_chain_member(worse, "worse"), c)

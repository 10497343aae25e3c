"""networks.io.atomic_path: every export is all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from networks.io import atomic_path, write_text_atomic


def test_success_replaces_target_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.csv"
    with atomic_path(target) as tmp:
        assert tmp.suffix == ".csv" and not tmp.exists() and tmp.parent == target.parent
        tmp.write_text("a,b\n1,2\n", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.csv"]


def test_failure_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    target = write_text_atomic(tmp_path / "out.json", "{}")
    with pytest.raises(RuntimeError, match="writer failed"), atomic_path(target) as tmp:
        tmp.write_text('{"half": ', encoding="utf-8")
        raise RuntimeError("writer failed")
    assert target.read_text(encoding="utf-8") == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]

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


def test_a_link_fifo_device_or_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    import os

    from networks.io import OutputError

    real = write_text_atomic(tmp_path / "real.txt", "keep")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    for target, kind in (
        (link, "a symbolic link"),
        (fifo, "a FIFO"),
        (Path("/dev/null"), "a character device"),
        (folder, "a folder"),
    ):
        with pytest.raises(OutputError, match=f"bad value .*: {kind}; allowed: "):
            write_text_atomic(target, "x")
    assert real.read_text(encoding="utf-8") == "keep" and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "folder", "link.txt", "real.txt"]


def test_atomic_folder_keeps_the_folder_mode_and_creates_parents(tmp_path: Path) -> None:
    from networks.io import atomic_folder

    target = tmp_path / "a" / "b"
    with atomic_folder(target) as tmp:
        (tmp / "x.txt").write_text("1")
    target.chmod(0o750)
    with atomic_folder(target) as tmp:
        (tmp / "y.txt").write_text("2")
    assert [p.name for p in target.iterdir()] == ["y.txt"]
    assert target.stat().st_mode & 0o777 == 0o750
    assert [p.name for p in target.parent.iterdir()] == ["b"]


def test_atomic_folder_without_an_atomic_exchange_uses_two_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import networks.io as nio

    monkeypatch.setattr(nio, "_exchange", lambda a, b: False)  # e.g. not Linux
    target = tmp_path / "out"
    for name in ("old.txt", "new.txt"):
        with nio.atomic_folder(target) as tmp:
            (tmp / name).write_text(name)
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]

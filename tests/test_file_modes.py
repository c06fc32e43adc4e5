"""state/ is 0700, the database, its WAL files and the lock 0600; stricter modes stay."""

from __future__ import annotations

import os
import stat

import pytest

from monitor.lock import DaemonLock


def mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)  # the usual default: files 0644 and folders 0755 unless we act
    yield
    os.umask(old)


def test_a_new_state_folder_and_database_are_private(project, run, tmp_path):
    cfg = project()
    assert run("once", config=cfg).exit_code == 0
    state = tmp_path / "state"
    assert mode(state) == 0o700
    files = [p for p in state.iterdir() if p.name.startswith("monitor.db")]
    assert {p.name for p in files} >= {"monitor.db", "monitor.db-wal", "monitor.db-shm"}
    for p in files:
        assert mode(p) == 0o600, p


def test_an_existing_state_folder_and_old_database_are_tightened(project, run, tmp_path):
    cfg = project()
    assert run("once", config=cfg).exit_code == 0
    state, db = tmp_path / "state", tmp_path / "state" / "monitor.db"
    state.chmod(0o755)  # as a checkout or an earlier release left them
    db.chmod(0o644)
    assert run("digest", config=cfg).exit_code == 0
    assert mode(state) == 0o700 and mode(db) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="a 0400 database is writable by root only")
def test_a_stricter_mode_is_kept(project, run, tmp_path):
    cfg = project()
    assert run("once", config=cfg).exit_code == 0
    db = tmp_path / "state" / "monitor.db"
    db.chmod(0o400)
    assert run("digest", config=cfg).exit_code == 0
    assert mode(db) == 0o400


def test_a_folder_given_with_db_is_left_alone(project, run, tmp_path):
    shared = tmp_path / "shared-folder"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert run("once", config=project(), db=shared / "scratch.db").exit_code == 0
    assert mode(shared) == 0o755  # not ours to change
    assert mode(shared / "scratch.db") == 0o600
    made = tmp_path / "new" / "deeper"
    assert run("once", config=project(), db=made / "scratch.db").exit_code == 0
    assert mode(made) == 0o700 and mode(made.parent) == 0o700  # folders it made


def test_lock_file_is_private(tmp_path):
    db = tmp_path / "state" / "monitor.db"
    old = tmp_path / "state" / "monitor.db.lock"
    old.parent.mkdir()
    old.write_text("{}")
    old.chmod(0o644)  # an earlier release's lock
    lock = DaemonLock(db)
    lock.acquire({"pid": os.getpid()})
    try:
        assert mode(old) == 0o600
    finally:
        lock.release()
    old.unlink()
    lock = DaemonLock(db)
    lock.acquire({"pid": os.getpid()})
    lock.release()
    assert mode(old) == 0o600

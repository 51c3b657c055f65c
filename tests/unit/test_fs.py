"""Atomic writes, batches made durable together, and the writer lock across real processes."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence import _fs as fs_module
from evidence._fs import (
    JOURNAL_PATTERN,
    TEMP_PATTERN,
    Batch,
    PendingFile,
    append_durably,
    case_lock,
    read_bytes,
    remove_leftovers,
    replace_file,
    write_new_file,
)
from evidence.case import Case
from evidence.errors import CaseError, InputError, LockError
from tests.support.tmpfs import small_tmpfs

ROOT = Path(__file__).parents[2]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _python(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# -- single files ---------------------------------------------------------------------------


def test_write_new_file_is_read_only_and_exact(tmp_path: Path) -> None:
    dest = tmp_path / "SRC-0001.1.json"
    write_new_file(dest, b"\x00bytes\n" * 1000)
    assert dest.read_bytes() == b"\x00bytes\n" * 1000
    assert stat.S_IMODE(dest.stat().st_mode) == 0o444
    assert _leftovers(tmp_path) == []


def test_write_new_file_never_rewrites(tmp_path: Path) -> None:
    dest = tmp_path / "0001.json"
    write_new_file(dest, b"sealed")
    before = dest.stat()
    with pytest.raises(CaseError, match="never rewritten"):
        write_new_file(dest, b"forged")
    assert dest.read_bytes() == b"sealed"
    assert dest.stat().st_ino == before.st_ino
    assert dest.stat().st_mtime_ns == before.st_mtime_ns
    assert _leftovers(tmp_path) == []


def test_write_new_file_into_a_missing_folder_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_new_file(tmp_path / "nope" / "x", b"x")
    assert list(tmp_path.iterdir()) == []


def test_replace_file_swaps_the_whole_file(tmp_path: Path) -> None:
    dest = tmp_path / "dossier.pdf"
    replace_file(dest, b"first version")
    old_inode = dest.stat().st_ino
    replace_file(dest, b"second")
    assert dest.read_bytes() == b"second"
    assert dest.stat().st_ino != old_inode  # renamed into place, not written in place
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    assert _leftovers(tmp_path) == []


def test_append_durably_appends(tmp_path: Path) -> None:
    log = tmp_path / "custody.jsonl"
    append_durably(log, b"one\n")
    append_durably(log, b"two\n")
    assert log.read_bytes() == b"one\ntwo\n"


def test_read_bytes_errors_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such claims file") as missing:
        read_bytes(tmp_path / "absent.yaml", what="claims file")
    assert missing.value.path == str(tmp_path / "absent.yaml")
    with pytest.raises(InputError, match="is a directory"):
        read_bytes(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_read_bytes_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_bytes(b"x")
    path.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        read_bytes(path)


# -- batches --------------------------------------------------------------------------------


def test_batch_names_nothing_before_commit(tmp_path: Path) -> None:
    names = [tmp_path / f"CLM-{n:04d}.1.json" for n in range(1, 40)]
    with Batch() as batch:
        for n, dest in enumerate(names):
            batch.add(dest, f"record {n}\n".encode())
        assert len(batch) == len(names)
        assert batch.holds(names[0])
        assert not batch.holds(tmp_path / "other")
        assert not any(dest.exists() for dest in names)
        batch.commit()
    assert [dest.read_bytes() for dest in names] == [
        f"record {n}\n".encode() for n in range(len(names))
    ]
    assert all(stat.S_IMODE(dest.stat().st_mode) == 0o444 for dest in names)
    assert _leftovers(tmp_path) == []


def _markers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if JOURNAL_PATTERN.fullmatch(p.name)]


@pytest.mark.parametrize("count", [5, 40], ids=["fsync-each", "one-sync"])
def test_a_journal_batch_writes_final_names_after_its_marker(tmp_path: Path, count: int) -> None:
    records = tmp_path / "records"
    names = [records / f"CLM-{n:04d}.1.json" for n in range(1, count + 1)]
    with Batch(journal=tmp_path) as batch:
        batch.add(names[0], b"record 0\n")
        assert len(_markers(tmp_path)) == 1  # durably there before any final name
        for n, dest in enumerate(names[1:], start=1):
            batch.add(dest, f"record {n}\n".encode())
        batch.commit()
        assert [dest.read_bytes() for dest in names] == [
            f"record {n}\n".encode() for n in range(count)
        ]
        assert len(_markers(tmp_path)) == 1  # until the log names them
        batch.settle()
        assert _markers(tmp_path) == []
    assert all(stat.S_IMODE(dest.stat().st_mode) == 0o444 for dest in names)
    assert _leftovers(records) == []


def test_a_journal_batch_left_before_settling_removes_what_it_wrote(tmp_path: Path) -> None:
    records = tmp_path / "records"
    records.mkdir()
    (records / "SRC-0001.1.json").write_bytes(b"there before")
    names = [records / f"CLM-{n:04d}.1.json" for n in range(1, 41)]

    def commit_then_fail() -> None:
        with Batch(journal=tmp_path) as batch:
            for dest in names:
                batch.add(dest, b"x")
            batch.commit()
            raise RuntimeError("the log append failed")

    with pytest.raises(RuntimeError, match="log append failed"):
        commit_then_fail()
    assert sorted(p.name for p in records.iterdir()) == ["SRC-0001.1.json"]
    assert _markers(tmp_path) == []


@pytest.mark.parametrize("taken_at", [7, 1500], ids=["early", "late"])
def test_a_journal_batch_never_replaces_a_file(tmp_path: Path, taken_at: int) -> None:
    """A name that exists is refused, kept as it was, and the batch's own files go
    (early in a batch, or after thousands of files and background syncs)."""
    taken = tmp_path / f"CLM-{taken_at:04d}.1.json"
    taken.write_bytes(b"original")

    def stage_and_commit() -> None:
        with Batch(journal=tmp_path) as batch:
            for n in range(1, 2001):
                batch.add(tmp_path / f"CLM-{n:04d}.1.json", b"from the batch")
            batch.commit()

    with pytest.raises(
        CaseError, match=rf"CLM-{taken_at:04d}\.1\.json exists already and is never"
    ):
        stage_and_commit()
    assert taken.read_bytes() == b"original"
    assert sorted(p.name for p in tmp_path.iterdir()) == [taken.name]


def test_a_settled_journal_batch_keeps_its_files_on_a_later_exception(tmp_path: Path) -> None:
    dest = tmp_path / "records" / "CLM-0001.1.json"

    def settle_then_fail() -> None:
        with Batch(journal=tmp_path) as batch:
            batch.add(dest, b"named by the log")
            batch.commit()
            batch.settle()
            raise RuntimeError("after the log named it")

    with pytest.raises(RuntimeError, match="after the log"):
        settle_then_fail()
    assert dest.read_bytes() == b"named by the log"
    assert _markers(tmp_path) == []


@pytest.mark.parametrize("count", [5, 40], ids=["fsync-each", "one-sync"])
def test_commit_runs_work_during_the_sync_and_stops_on_its_error(
    tmp_path: Path, count: int
) -> None:
    names = [tmp_path / "records" / f"CLM-{n:04d}.1.json" for n in range(count)]
    with Batch(journal=tmp_path) as batch:
        for dest in names:
            batch.add(dest, b"x")
        assert batch.commit(during=lambda: "lines") == "lines"
        batch.settle()
    assert all(dest.exists() for dest in names)

    others = [tmp_path / "records" / f"CLM-{n:04d}.2.json" for n in range(count)]

    def fail() -> str:
        raise RuntimeError("the lines could not be made")

    def commit_failing() -> None:
        with Batch(journal=tmp_path) as batch:
            for dest in others:
                batch.add(dest, b"y")
            batch.commit(during=fail)

    with pytest.raises(RuntimeError, match="could not be made"):
        commit_failing()
    assert not any(dest.exists() for dest in others)
    assert all(dest.exists() for dest in names)
    assert _markers(tmp_path) == []


def test_the_leftover_sweep_leaves_a_marker_for_the_recovery(tmp_path: Path) -> None:
    (tmp_path / ".unlogged-records.4242-0.tmp").write_bytes(b"")
    (tmp_path / ".case.yaml.4242-1.tmp").write_bytes(b"")
    listing: dict[str, list[str]] = {}
    with case_lock(tmp_path, listing):
        assert listing["journals"] == [".unlogged-records.4242-0.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", ".unlogged-records.4242-0.tmp"]


def _stage_then_fail(dest: Path) -> None:
    with Batch() as batch:
        batch.add(dest, b"a")
        raise RuntimeError("crash in the middle")


def test_batch_left_by_an_exception_names_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="crash in the middle"):
        _stage_then_fail(tmp_path / "a.json")
    assert list(tmp_path.iterdir()) == []


def test_batch_refuses_a_name_that_exists_at_commit(tmp_path: Path) -> None:
    dest = tmp_path / "a.json"
    dest.write_bytes(b"original")

    def stage_and_commit() -> None:
        with Batch() as batch:
            batch.add(dest, b"second")
            batch.commit()

    with pytest.raises(CaseError, match="never rewritten"):
        stage_and_commit()
    assert dest.read_bytes() == b"original"
    assert _leftovers(tmp_path) == []


def test_batch_refuses_a_name_staged_twice(tmp_path: Path) -> None:
    dest = tmp_path / "a.json"
    with Batch() as batch:
        batch.add(dest, b"first")
        with pytest.raises(CaseError, match="staged twice"):
            batch.add(dest, b"second")
        batch.abort()
    assert not dest.exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("journal", [False, True], ids=["temporary-names", "journal"])
def test_batch_names_with_and_without_a_folder_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, journal: bool
) -> None:
    """A bare name (the current folder), a doubled slash and a new nested folder are
    written where their names say, as strings or paths."""
    monkeypatch.chdir(tmp_path)
    names = ["bare.json", f"{tmp_path}//double.json", str(tmp_path / "new" / "deep" / "a.json")]
    with Batch(journal=tmp_path if journal else None) as batch:
        for n, name in enumerate(names):
            batch.add(name if n % 2 else Path(name), f"file {n}".encode())
        with pytest.raises(CaseError, match="staged twice"):
            batch.add(Path("bare.json"), b"again")
        batch.commit()
        batch.settle()
    assert [Path(name).read_bytes() for name in names] == [b"file 0", b"file 1", b"file 2"]
    assert _leftovers(tmp_path) == []


def test_a_large_batch_starts_syncs_while_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every so many files the writer starts a sync in the background (the disk works
    while the batch goes on); the files are named as ever, after the sync of commit."""
    import evidence._fs as fs_module

    started: list[str] = []
    monkeypatch.setattr(fs_module, "_PRESYNC_STEP", 64)
    monkeypatch.setattr(fs_module, "_background_sync", started.append)
    records = tmp_path / "records"
    names = [records / f"CLM-{n:04d}.1.json" for n in range(1, 601)]
    with Batch(journal=tmp_path) as batch:
        for n, dest in enumerate(names):
            batch.add(dest, f"record {n}\n".encode())
        batch.commit()
        batch.settle()
    assert 2 <= len(started) <= 600 // 64
    assert set(started) == {str(records)}
    assert [dest.read_bytes() for dest in names] == [f"record {n}\n".encode() for n in range(600)]
    assert _markers(tmp_path) == []


def test_a_background_sync_of_a_folder_s_file_system(tmp_path: Path) -> None:
    """The background sync runs (syncfs, or sync) on a folder, and says nothing when the
    folder is gone: the sync of commit is the one that counts."""
    import evidence._fs as fs_module

    fs_module._background_sync(str(tmp_path))
    fs_module._background_sync(str(tmp_path / "gone"))


def test_batch_commit_refuses_a_name_taken_meanwhile(tmp_path: Path) -> None:
    dest = tmp_path / "a.json"
    with Batch() as batch:
        batch.add(dest, b"from the batch")
        dest.write_bytes(b"written by someone else")
        with pytest.raises(CaseError, match="never rewritten"):
            batch.commit()
    assert dest.read_bytes() == b"written by someone else"
    assert _leftovers(tmp_path) == []


def test_batch_write_error_surfaces_and_names_nothing(tmp_path: Path) -> None:
    # A file cannot be staged (its folder is a file): the error reaches the caller, and
    # nothing of the batch is named, not even the file staged before it.
    (tmp_path / "blocker").write_bytes(b"")

    def stage_and_commit() -> None:
        with Batch() as batch:
            batch.add(tmp_path / "b.json", b"y")
            batch.add(tmp_path / "blocker" / "a.json", b"x")
            batch.commit()

    with pytest.raises(OSError, match="blocker"):
        stage_and_commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_a_write_error_among_many_files_names_nothing(tmp_path: Path) -> None:
    # Files reach the writer thread in handfuls: an error in the writer (here a temporary
    # name too long for the file system) in a later handful still stops the batch, and
    # nothing of it is named.
    names = [tmp_path / f"CLM-{n:04d}.1.json" for n in range(700)]

    def stage_and_commit() -> None:
        with Batch() as batch:
            for dest in names[:600]:
                batch.add(dest, b"x" * 100)
            batch.add(tmp_path / ("L" * 250), b"x")
            for dest in names[600:]:
                batch.add(dest, b"y")
            batch.commit()

    with pytest.raises(OSError, match="too long"):
        stage_and_commit()
    assert list(tmp_path.iterdir()) == []


def test_batch_removes_the_folders_it_made_when_aborted(tmp_path: Path) -> None:
    def stage_then_fail() -> None:
        with Batch() as batch:
            batch.add(tmp_path / "objects" / "ab" / "abcd", b"x")
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        stage_then_fail()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_crash_before_commit_leaves_no_final_name(tmp_path: Path) -> None:
    """A real process dies (os._exit, no clean-up) after staging: no record file appears."""
    result = _python(
        """
        import os, sys
        from pathlib import Path
        from evidence._fs import Batch
        folder = Path(sys.argv[1])
        batch = Batch()
        for n in range(50):
            batch.add(folder / f"CLM-{n:04d}.1.json", b"x" * 4096)
        os._exit(9)
        """,
        str(tmp_path),
    )
    assert result.returncode == 9, result.stderr
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".tmp")] == []


# -- the writer lock ------------------------------------------------------------------------

HOLD_LOCK = """
    import sys, time
    from pathlib import Path
    from evidence._fs import case_lock
    with case_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(120)
"""


def _holder(root: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLD_LOCK), str(root)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_writer_in_another_process_gets_lock_error(new_case: Case) -> None:
    with new_case.lock():
        result = _python(
            """
            import sys
            from evidence._fs import case_lock
            from evidence.errors import LockError
            from pathlib import Path
            try:
                with case_lock(Path(sys.argv[1])):
                    print("got the lock")
            except LockError as exc:
                print(f"LockError: {exc}")
            """,
            str(new_case.root),
        )
    assert result.stdout.startswith("LockError: "), result
    assert "another evidence process is writing" in result.stdout


def test_lock_held_by_another_process_refuses_us(new_case: Case) -> None:
    proc = _holder(new_case.root)
    try:
        with pytest.raises(LockError) as info, new_case.lock():
            pass
        assert info.value.exit_code == 2
        assert info.value.diagnostics()
    finally:
        proc.kill()
        proc.wait()
    with new_case.lock():  # a dead holder leaves no lock behind
        pass


def test_command_line_writer_exits_2_while_locked(new_case: Case, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("date 2024-07-08 A short article.\n", encoding="utf-8")
    custody = (new_case.root / "custody.jsonl").read_bytes()
    proc = _holder(new_case.root)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "evidence", "add", str(new_case.root), str(article)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert "another evidence process is writing" in lines[0]
    assert "Traceback" not in result.stderr
    assert (new_case.root / "custody.jsonl").read_bytes() == custody
    assert list((new_case.root / "records").iterdir()) == []


def test_lock_is_released_after_use(new_case: Case) -> None:
    for _ in range(3):
        with case_lock(new_case.root):
            pass
    result = _python(
        """
        import sys
        from pathlib import Path
        from evidence._fs import case_lock
        with case_lock(Path(sys.argv[1])):
            print("ok")
        """,
        str(new_case.root),
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_a_pending_file_is_written_first_and_named_after(tmp_path: Path) -> None:
    dest = tmp_path / "0002.json"
    pending = PendingFile(dest, b"sealed bytes\n")
    assert not dest.exists()
    (temporary,) = tmp_path.iterdir()
    assert TEMP_PATTERN.fullmatch(temporary.name)  # what the leftover sweep removes
    assert temporary.read_bytes() == b"sealed bytes\n"
    pending.place()
    assert dest.read_bytes() == b"sealed bytes\n"
    assert not dest.stat().st_mode & 0o222
    assert [p.name for p in tmp_path.iterdir()] == ["0002.json"]
    pending.discard()  # placed: nothing to do
    assert dest.exists()
    with pytest.raises(ValueError, match="placed or discarded already"):
        pending.place()


def test_a_pending_file_never_replaces_a_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    dest = tmp_path / "0002.json"
    dest.write_bytes(b"first\n")
    pending = PendingFile(dest, b"second\n")
    with pytest.raises(CaseError, match="never rewritten"):
        pending.place()
    assert dest.read_bytes() == b"first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["0002.json"]


def test_a_discarded_pending_file_leaves_nothing(tmp_path: Path) -> None:
    pending = PendingFile(tmp_path / "0002.json", b"bytes\n")
    pending.discard()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="placed or discarded already"):
        pending.place()


def test_a_pending_file_left_by_a_crash_is_swept(tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case", case_id="T", title="T", ern_prefix="T", actor="tester")
    PendingFile(case.seals_dir / "0001.json", b"never placed\n")  # the writer died here
    assert len(list(case.seals_dir.iterdir())) == 1
    assert remove_leftovers(case.root)
    assert list(case.seals_dir.iterdir()) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=30), st.integers(1, 64))
def test_parts_are_written_as_their_concatenation(parts: list[bytes], join_up_to: int) -> None:
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(fs_module, "_JOIN_UP_TO", join_up_to)  # many joins, and none
        written = Path(folder) / "written"
        replace_file(written, parts, durable=False)
        assert written.read_bytes() == b"".join(parts)
        log = Path(folder) / "log"
        log.write_bytes(b"first\n")
        append_durably(log, parts)
        assert log.read_bytes() == b"first\n" + b"".join(parts)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path, "1m") as mount:
        yield mount


def test_parts_appended_to_a_full_disk_leave_the_log_as_it_was(
    small_fs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines written in several writes, the disk full after some: the log is cut back to
    where it was (never half an event)."""
    monkeypatch.setattr(fs_module, "_JOIN_UP_TO", 4096)
    log = small_fs / "custody.jsonl"
    log.write_bytes(b'{"seq":1}\n')
    lines = [b'{"seq":2,"pad":"' + b"x" * 1000 + b'"}', b"\n"] * 3000  # 3 MB, 1 MiB free
    with pytest.raises(OSError, match="No space left") as raised:
        append_durably(log, lines)
    assert raised.value.errno == errno.ENOSPC
    assert log.read_bytes() == b'{"seq":1}\n'

"""The store keeps its directory (issue 18): recorded as events, in force from their
instant, used wherever the history travels (store, export, replay, import), and a view
of an instant is evaluated under the directory in force then."""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import orjson
import pytest

from callcore import CallCenter
from callcore.adapters.directory_file import demo_directory, directory_to_toml
from callcore.adapters.eventlog import Header, export_log, import_log
from callcore.adapters.eventstore import open_store
from callcore.center import DirectoryConflict, DirectoryNotice, ReadOnlyCentre
from callcore.domain import complaint, order
from callcore.domain.common import NotFound
from callcore.domain.directory import Directory, Price
from callcore.domain.reference import DirectoryAdopted
from callcore.formats import dumps, view_data
from callcore.replay import Replay
from tests.projections.test_satisfaction import delivered_order, lodge
from tests.support import SUPERVISOR, Scenario, at
from tests.test_safe_outputs import GOLDEN, callcore, refused

WORKER_WHO_LEAVES = "W004"  # a B-WEST field worker of the demo directory


def after_the_change(directory: Directory) -> Directory:
    """W004 leaves, and LPG-15 costs more from the 24th."""
    workers = {k: v for k, v in directory.field_workers.items() if k != WORKER_WHO_LEAVES}
    price = Price("LPG-15", date(2026, 11, 24), Decimal("118.00"), Decimal("133.00"))
    return attrs.evolve(directory, field_workers=workers, prices=(*directory.prices, price))


def test_a_new_store_records_the_demo_directory_and_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/centre.db"
    with pytest.warns(DirectoryNotice, match="demo directory"):
        first = CallCenter.open(url)
    assert first.directory_notice is not None and "new store" in first.directory_notice
    first.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DirectoryNotice)
        again = CallCenter.open(url)  # its own directory now: nothing to say
    assert again.directory_notice is None
    assert again.directory == demo_directory()
    (adopted,) = again.directories().adoptions
    assert "demo" in adopted.reason
    again.close()


def test_a_directory_given_to_a_store_that_has_another_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/centre.db"
    CallCenter.open(url, directory=demo_directory()).close()
    changed = after_the_change(demo_directory())
    before = open_store(url, read_only=True)
    count = before.last_position()
    before.close()
    with pytest.raises(DirectoryConflict, match="adopt"):
        CallCenter.open(url, directory=changed)
    with pytest.raises(DirectoryConflict):
        CallCenter.open(url, directory=changed, read_only=True)
    store = open_store(url, read_only=True)
    assert store.last_position() == count
    store.close()


def test_a_read_only_centre_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/centre.db"
    CallCenter.open(url).close()
    centre = CallCenter.open(url, read_only=True)
    count = centre.store.last_position()
    with pytest.raises(ReadOnlyCentre):
        centre.adopt_directory(after_the_change(centre.directory), reason="no")
    assert centre.store.last_position() == count
    centre.close()


def _story(url: str) -> tuple[Scenario, object, object]:
    """On the 23rd a B-WEST worker's customer complains about W004 and an order is
    priced; on the 24th a supervisor records that W004 left and the new price list."""
    s = Scenario(url, start=at(23, 9))
    delivered_order(s, "O1", worker="W001")
    lodge(s, "K1", complaint.SubjectKind.FIELD_WORKER, WORKER_WHO_LEAVES)
    before = s.clock.now()
    s.after(days=1)
    s.center.adopt_directory(
        after_the_change(s.center.directory),
        by=SUPERVISOR,
        reason="W004 left; the LPG price list of the 24th",
    )
    s.after(hours=1)
    delivered_order(s, "O2", worker="W001")
    after = s.clock.now()
    return s, before, after


def _place_command(placed: object) -> order.PlaceOrder:
    """The order placed again (another id): a walk-in order for the same address."""
    return order.PlaceOrder(
        order_id="again",
        registered=False,
        name=placed.name,  # type: ignore[attr-defined]
        phone=placed.phone,  # type: ignore[attr-defined]
        address=placed.address,  # type: ignore[attr-defined]
        area=placed.area,  # type: ignore[attr-defined]
        lines=(order.OrderLineRequest("LPG-15", 1),),
        delivery_window=placed.delivery_window,  # type: ignore[attr-defined]
    )


def _satisfaction(views: object, instant: object, zone: object) -> bytes:
    return dumps(view_data(views.satisfaction(instant), zone))  # type: ignore[attr-defined]


def test_a_change_mid_history_keeps_the_past_and_rules_from_its_instant(tmp_path: Path) -> None:
    s, before, after = _story(f"sqlite:///{tmp_path}/centre.db")
    centre = s.center
    assert WORKER_WHO_LEAVES in centre.directory_at(before).field_workers  # type: ignore[arg-type]
    assert WORKER_WHO_LEAVES not in centre.directory_at(after).field_workers  # type: ignore[arg-type]
    # new commands are decided under the new directory: the new price, W004 unknown
    o1 = next(e for e in centre.history("order-O1") if isinstance(e.event, order.OrderPlaced))
    o2 = next(e for e in centre.history("order-O2") if isinstance(e.event, order.OrderPlaced))
    assert o1.event.lines[0].unit_price == Decimal("125.00")  # type: ignore[attr-defined]
    assert o2.event.lines[0].unit_price == Decimal("133.00")  # type: ignore[attr-defined]
    placed = next(e.event for e in centre.history("order-O2")[:1])
    s.given(attrs.evolve(_place_command(placed), order_id="O3"))
    with pytest.raises(NotFound, match=WORKER_WHO_LEAVES):
        s.center.handle(order.AssignOrderWorker(order_id="O3", worker_id=WORKER_WHO_LEAVES))
    # the complaint about W004 counts for W004's branch before and after W004 left
    for instant in (before, after):
        view = centre.views.satisfaction(instant)  # type: ignore[arg-type]
        assert [(b.id, b.complaints) for b in view.branches if b.complaints] == [("B-WEST", 1)]
    # who and why are recorded
    adoptions = centre.directories().adoptions
    assert [str(a.actor) for a in adoptions] == ["system:callcore", "supervisor:S01"]
    assert "W004 left" in adoptions[-1].reason
    centre.close()


def test_the_directory_travels_with_the_history(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/centre.db"
    s, before, after = _story(url)
    s.center.close()
    store = CallCenter.open(url, read_only=True)
    assert store.directory == after_the_change(demo_directory())  # the latest in force
    log = tmp_path / "centre.jsonl"
    export_log(
        store.store,
        log,
        Header(store.directory.centre, after, False, store.directory),  # type: ignore[arg-type]
    )
    replayed = Replay.from_log(log)
    again = open_store("memory://")
    import_log(log, again)
    imported = CallCenter(again, read_only=True)
    zone = store.directory.local(after).tzinfo  # type: ignore[arg-type]
    for instant in (before, after):
        expected = _satisfaction(store.views, instant, zone)
        assert _satisfaction(replayed.views, instant, zone) == expected
        assert _satisfaction(imported.views, instant, zone) == expected
        assert replayed.directory_at(instant) == store.directory_at(instant)  # type: ignore[arg-type]
        assert imported.directory_at(instant) == store.directory_at(instant)  # type: ignore[arg-type]
    lines = [orjson.loads(line) for line in log.read_bytes().splitlines()[1:]]
    assert [line["type"] for line in lines].count("DirectoryAdopted") == 2
    store.close()


def test_an_old_log_brings_its_header_directory_into_the_store(tmp_path: Path) -> None:
    """The golden logs were written before directories were recorded."""
    assert b"DirectoryAdopted" not in GOLDEN.read_bytes()
    store = open_store("memory://")
    header, count = import_log(GOLDEN, store)
    centre = CallCenter(store, read_only=True)
    assert centre.directory == header.directory and centre.directory_notice is None
    (adopted,) = centre.directories().adoptions
    first = next(iter(store.read_all(0, 2))).recorded
    assert isinstance(first.event, DirectoryAdopted)
    assert adopted.at == min(p.recorded.event.at for p in store.read_all(1))
    assert store.last_position() == count + 1


def test_the_cli_uses_the_stores_directory_and_records_changes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/centre.db"
    assert callcore("import", str(GOLDEN), "--db", db).returncode == 0
    changed = tmp_path / "changed.toml"
    changed.write_text(directory_to_toml(after_the_change(demo_directory())), encoding="utf-8")
    # a different directory given to a store that has one: refused, with what to do
    done = callcore("views", "--db", db, "--directory", str(changed))
    refused(done, "adopt-directory", "--what-if-directory")
    # a what-if records nothing
    what_if = callcore("views", "--db", db, "--what-if-directory", str(changed), "--view", "sla")
    assert what_if.returncode == 0, what_if.stderr
    # a recorded change needs who and why
    refused(callcore("adopt-directory", str(changed), "--db", db, "--by", "S01", "--reason", "x"))
    done = callcore(
        "adopt-directory",
        str(changed),
        "--db",
        db,
        "--by",
        "supervisor:S01",
        "--reason",
        "W004 left",
    )
    assert done.returncode == 0, done.stderr
    written = tmp_path / "now.toml"
    assert callcore("directory", db, "--out", str(written)).returncode == 0
    assert written.read_text(encoding="utf-8") == changed.read_text(encoding="utf-8")
    # a store made before directories were kept: said so in one line, and it works
    old = f"sqlite:///{tmp_path}/old.db"
    legacy = open_store(old)
    from callcore.adapters.eventlog import read_records

    legacy.append(read_records(GOLDEN)[1])  # the events without their directory
    legacy.close()
    done = callcore("views", "--db", old, "--view", "sla")
    assert done.returncode == 0
    assert done.stderr.strip().splitlines() == [
        "callcore: this store records no directory (made before directories were kept); "
        "using the demo directory: adopt the centre's own one"
    ]


def test_a_store_made_before_directories_were_kept_records_the_one_given(tmp_path: Path) -> None:
    from callcore.adapters.eventlog import read_records

    url = f"sqlite:///{tmp_path}/old.db"
    legacy = open_store(url)
    header, records = read_records(GOLDEN)
    legacy.append(records)
    legacy.close()
    with pytest.warns(DirectoryNotice, match="records no directory"):
        reader = CallCenter.open(url, read_only=True)
    assert reader.directory == demo_directory() and not reader.directories()
    count = reader.store.last_position()
    reader.close()
    # opened for writing without a directory: the demo one is a guess, recorded nowhere
    with pytest.warns(DirectoryNotice, match="demo directory"):
        guessing = CallCenter.open(url)
    assert guessing.store.last_position() == count
    guessing.close()
    given = after_the_change(header.directory)
    with pytest.warns(DirectoryNotice, match="recorded from now"):
        writer = CallCenter.open(url, directory=given)
    writer.close()
    again = CallCenter.open(url, read_only=True)
    assert again.directory == given and again.directory_notice is None
    (adopted,) = again.directories().adoptions
    assert "opened with" in adopted.reason
    again.close()


def test_a_view_of_an_instant_is_labelled_with_the_directory_in_force_then(
    tmp_path: Path,
) -> None:
    """A new answer target (3 rings → 4: 15 s → 20 s) adopted mid-history: the queues as
    of before the change say 15 s, after it 20 s, in the view, the table's footnote and
    the interval report's default thresholds — however much of the store was read first."""
    from datetime import timedelta

    from callcore.domain import call

    url = f"sqlite:///{tmp_path}/centre.db"
    s = Scenario(url, start=at(23, 9))
    s.given(call.OfferCall(call_id="c1", queue="hotline"))
    s.after(seconds=12).given(call.AnswerCall(call_id="c1", agent="A01"))
    before = s.clock.now()
    s.after(hours=1)
    four_rings = attrs.evolve(
        s.center.directory, sla=attrs.evolve(s.center.directory.sla, answer_rings=4)
    )
    s.center.adopt_directory(four_rings, by=SUPERVISOR, reason="a new answer target")
    s.after(minutes=5).given(call.OfferCall(call_id="c2", queue="hotline"))
    s.after(seconds=18).given(call.AnswerCall(call_id="c2", agent="A01"))
    after = s.clock.now() + timedelta(minutes=1)
    centre = s.center
    # the views of "now" first, so the kept folds have read the whole store
    assert [r.target_seconds for r in centre.views.queues(after).queues] == [20]
    assert [r.target_seconds for r in centre.views.queues(before).queues] == [15]
    assert [r.target_seconds for r in centre.views.rebuild_all(before).queues.queues] == [15]
    assert [r.target_seconds for r in centre.views.rebuild_all(after).queues.queues] == [20]
    centre.close()
    for instant, target in ((before, 15), (after, 20)):
        shown = callcore("views", "--db", url, "--view", "queues", "--at", instant.isoformat())
        assert shown.returncode == 0, shown.stderr
        assert f"answered within {target} s" in shown.stdout, shown.stdout
        report = callcore(
            "views", "--db", url, "--view", "intervals", "--format", "json",
            "--at", instant.isoformat(),
        )  # fmt: skip
        assert report.returncode == 0, report.stderr
        assert orjson.loads(report.stdout)["thresholds_seconds"][0] == target, report.stdout[:400]

def test_handling_adopt_directory_runs_the_centre_under_it() -> None:
    """``cc.handle(AdoptDirectory(...))`` is the command ``cc.adopt_directory`` sends:
    handled directly, new commands are decided under it too, and its policy is adopted
    (it used to be recorded while the centre kept deciding under the old one)."""
    from callcore import AdoptDirectory, ManualClock, OrderLineRequest, PlaceOrder, Window

    clock = ManualClock(at(24, 9))
    with CallCenter.open("memory://", clock=clock) as centre:
        changed = after_the_change(centre.directory)
        changed = attrs.evolve(changed, sla=attrs.evolve(changed.sla, version="hexi-2026-9"))
        outcome = centre.handle(
            AdoptDirectory(directory=changed, reason="W004 left", actor=SUPERVISOR)
        )
        assert [type(e).__name__ for e in outcome] == ["DirectoryAdopted"]
        assert centre.directory == changed
        policies = [r.event for r in centre.history("policy-sla")]
        assert policies[-1].version == "hexi-2026-9"  # type: ignore[attr-defined]
        placed = centre.handle(
            PlaceOrder(
                order_id="O-NEW",
                registered=False,
                name="Li Lei",
                phone="138 0000 1111",
                address="9 Qilihe Lane",
                area="QILIHE",
                lines=(OrderLineRequest("LPG-15", 1),),
                delivery_window=Window(at(24, 11), at(24, 13)),
            )
        )
        assert placed.first(order.OrderPlaced).total == Decimal("133.00")

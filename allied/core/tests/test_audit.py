"""The audit log: entries chain, tampering is found and located, and nothing rewrites history."""

from __future__ import annotations

import io
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client

from allied.audit_chain import GENESIS
from allied.core import audit, audit_sealer
from allied.core.models import AuditEntry, Bulletin, Nation
from allied.core.models.audit import AppendOnlyError
from allied.markings import Level
from allied.markings.access import Viewer

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (the trigger, real concurrency)"
)
PASSWORD = "analyst-test-password"


def run_audit(*args: str) -> tuple[int, str]:
    """Run ``allied audit ...``; return its exit code and what it printed."""
    out = io.StringIO()
    try:
        call_command("audit", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def record_some(count: int, **kwargs: Any) -> list[AuditEntry]:
    return [
        audit.record("decision", object_type="arms.case", object_id=n, detail={"n": n}, **kwargs)
        for n in range(1, count + 1)
    ]


def sealed_some(count: int, **kwargs: Any) -> list[AuditEntry]:
    """``count`` entries recorded and then sealed, as the sealer would, in chain order."""
    made = record_some(count, **kwargs)
    audit_sealer.seal()
    return list(AuditEntry.objects.filter(pk__in=[e.pk for e in made]).order_by("sequence"))


@contextmanager
def tampering() -> Iterator[Any]:
    """A raw cursor that may rewrite history: what someone with database access could do.

    On PostgreSQL the table owner switches the append-only trigger off for this transaction only
    (after running the deferred foreign-key checks, which ALTER TABLE may not leave pending).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        postgres = connection.vendor == "postgresql"
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        yield cursor
        if postgres:
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")


# --- appending -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_only_inserts_its_entry_unsealed_no_lock_no_head_no_hash(
    django_assert_num_queries,
) -> None:
    # One statement, an INSERT: no advisory lock, no read of the chain's head (issue 15, 1).
    with django_assert_num_queries(1) as captured:
        entry = audit.record("write", object_type="arms.case", object_id="1")
    assert captured.captured_queries[0]["sql"].startswith("INSERT")
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.sequence, stored.prev_hash, stored.hash, stored.sealed_at) == (None,) * 4


@pytest.mark.django_db
def test_each_entry_takes_the_next_number_and_links_to_the_one_before() -> None:
    entries = sealed_some(5)
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert all(e.sealed_at is not None for e in entries)
    assert entries[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    assert run_audit("verify") == (0, "audit chain intact: 5 entries\n")


@pytest.mark.django_db
def test_an_entry_copies_who_acted_and_what_they_touched(analyst) -> None:
    nation = Nation(iso3="JPN", name="Japan", source="test")
    entry = audit.record(
        "write", actor=analyst, obj=nation, marking="SECRET//REL TO USA, JPN", detail={"a": [1]}
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_name, entry.action) == (analyst, "us.analyst", "write")
    assert (entry.object_type, entry.object_id) == ("core.nation", "JPN")
    assert entry.marking == "SECRET//REL TO USA, JPN"
    assert entry.detail == {"a": [1]}


@pytest.mark.django_db
def test_an_entry_copies_the_actors_nation_from_their_principal(cast) -> None:
    assert audit.record("read", actor=cast["jpn.liaison"]).nation == "JPN"
    assert audit.record("read", actor=cast["us.analyst"]).nation == "USA"


@pytest.mark.django_db
def test_an_actor_without_a_principal_is_recorded_without_a_nation() -> None:
    user = get_user_model().objects.create_user("no.principal", password=PASSWORD)
    entry = audit.record("read", actor=user)
    assert (entry.actor_name, entry.nation) == ("no.principal", "")


@pytest.mark.django_db
def test_the_system_and_anonymous_visitors_are_recorded_without_an_actor() -> None:
    from django.contrib.auth.models import AnonymousUser

    system = audit.record("system_access", detail={"reason": "nightly export"})
    anonymous = audit.record("denied", actor=AnonymousUser(), object_type="core.bulletin")
    assert (system.actor, system.actor_name) == (None, "")
    assert (anonymous.actor, anonymous.actor_name) == (None, "")


@pytest.mark.django_db
def test_a_system_access_in_a_transaction_is_recorded_with_its_reason() -> None:
    from allied.core.models import system_access

    with system_access("  nightly export  "):
        pass
    entries = list(AuditEntry.objects.filter(action="system_access").values("actor", "detail"))
    assert entries == [{"actor": None, "detail": {"reason": "nightly export"}}]


@pytest.mark.django_db(transaction=True)
def test_a_system_access_outside_any_transaction_writes_no_entry() -> None:
    from allied.core.models import system_access

    with system_access("outside a transaction"):
        pass
    assert not AuditEntry.objects.filter(action="system_access").exists()


@pytest.mark.django_db
def test_detail_must_be_exact_json_so_floats_and_unknown_actions_are_refused() -> None:
    with pytest.raises(TypeError, match="float"):
        audit.record("decision", detail={"score": 0.5})
    with pytest.raises(ValueError):
        audit.record("shredded")
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_page_of_fifty_reads_costs_a_few_queries_not_fifty(
    loaded_registry, analyst, django_assert_max_num_queries
) -> None:
    nations = list(Nation.objects.order_by("iso3")[:50])
    assert len(nations) == 50
    with django_assert_max_num_queries(5):
        audit.record_reads(analyst, [*nations, nations[0]])
    # One entry for the whole page, naming each distinct object once (issue 15, point 6).
    [stored] = AuditEntry.objects.all()
    assert (stored.action, stored.object_type, stored.detail["count"]) == (
        "read",
        "core.nation",
        50,
    )
    named = audit.listed(stored.object_type, stored.object_id, stored.marking, stored.detail)
    assert [object_id for _, object_id, _ in named] == [n.iso3 for n in nations]
    audit_sealer.seal()
    assert run_audit("verify") == (0, "audit chain intact: 1 entries\n")


@pytest.mark.django_db
def test_a_read_of_three_thousand_rows_is_one_entry_and_a_change_to_its_list_is_found(
    analyst, django_assert_max_num_queries
) -> None:
    # Issue 15, point 6: a product of 3,000 portions was 3,001 entries; now one, that names each.
    shown = [Nation(iso3=f"{n:04d}") for n in range(3000)]
    with django_assert_max_num_queries(2):  # the actor's nation, one INSERT
        entry = audit.record_reads(analyst, shown)
    assert entry is not None and AuditEntry.objects.count() == 1
    assert len(entry.detail["objects_by_marking"][""]) == 3000
    audit_sealer.seal()
    assert run_audit("verify") == (0, "audit chain intact: 1 entries\n")
    with tampering() as cursor:  # drop one row from what the entry says was shown
        listing = {"count": 2999, "objects_by_marking": {"": [n.iso3 for n in shown[1:]]}}
        cursor.execute("UPDATE core_auditentry SET detail = %s", [json.dumps(listing)])
    assert run_audit("verify") == (1, "entry 1 was changed\n")


@pytest.mark.django_db
def test_a_read_of_one_object_is_an_entry_of_its_own_kind(analyst) -> None:
    nation = Nation(iso3="JPN", name="Japan", source="test")
    entry = audit.record_reads(analyst, [nation, nation])
    assert entry is not None
    assert (entry.object_type, entry.object_id, entry.detail) == ("core.nation", "JPN", {})


@pytest.mark.django_db
def test_a_read_of_several_kinds_lists_each_row_with_its_kind() -> None:
    entry = audit.record_item_reads(
        None, [("a.one", "1", "SECRET"), ("b.two", "1", "SECRET"), ("a.one", "1", "SECRET")]
    )
    assert entry is not None and entry.object_type == ""
    assert entry.detail == {"count": 2, "objects_by_marking": {"SECRET": ["a.one:1", "b.two:1"]}}
    assert audit.listed("", "", "", entry.detail) == [
        ("a.one", "1", "SECRET"),
        ("b.two", "1", "SECRET"),
    ]


@pytest.mark.django_db
def test_reads_of_marked_objects_carry_each_objects_marking(analyst) -> None:
    markings = ["SECRET//NOFORN", "SECRET//REL TO USA, JPN", "UNCLASSIFIED"]
    for n, text in enumerate(markings):
        bulletin = Bulletin(title=f"b{n}", body="body", author=analyst)
        bulletin.set_marking(text)
        bulletin.save()
    us = Viewer("USA", Level.TS)
    # Rows read without their markings loaded: those are fetched together, in one query.
    shown = list(Bulletin.objects.visible_to(us).order_by("title"))
    entry = audit.record_reads(analyst, shown)
    assert entry is not None
    named = audit.listed(entry.object_type, entry.object_id, entry.marking, entry.detail)
    assert [marking for _, _, marking in named] == markings
    assert {object_type for object_type, _, _ in named} == {"core.bulletin"}
    assert [object_id for _, object_id, _ in named] == [str(b.pk) for b in shown]


@pytest.mark.django_db
def test_an_audit_key_seals_entries_that_verify_only_with_that_key(settings) -> None:
    settings.ALLIED_AUDIT_KEY = "k" * 32
    sealed_some(3)
    assert run_audit("verify")[0] == 0
    settings.ALLIED_AUDIT_KEY = None
    code, printed = run_audit("verify")
    assert code == 1
    assert printed == "entries 1-3 were changed\n"


# --- transactions and concurrency ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_entry() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("write", object_type="arms.case", object_id="1")
        raise RuntimeError("the write failed")
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_always_has_its_entry_and_the_next_one_follows_it() -> None:
    with transaction.atomic():
        audit.record("write", object_type="arms.case", object_id="1")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("write", object_type="arms.case", object_id="2")
        raise RuntimeError("the write failed")
    audit.record("write", object_type="arms.case", object_id="3")
    audit_sealer.seal()
    rows = AuditEntry.objects.order_by("sequence").values_list("sequence", "object_id")
    assert list(rows) == [(1, "1"), (2, "3")]
    assert run_audit("verify")[0] == 0


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_several_threads_make_one_unbroken_chain() -> None:
    threads, rounds = 6, 15
    page = [Nation(iso3=code) for code in ("AUS", "JPN", "KOR")]
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            start.wait()
            for n in range(rounds):
                with transaction.atomic():
                    if n % 5 == 4:  # a page of reads now and then: one entry listing three
                        audit.record_reads(None, page)
                    else:
                        audit.record("write", object_type="test.thing", object_id=f"{worker}.{n}")
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    # A page of three reads is one entry now (issue 15, point 6).
    total = threads * rounds
    assert audit_sealer.seal().entries == total
    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, total + 1))
    assert run_audit("verify") == (0, f"audit chain intact: {total} entries\n")


# --- nothing rewrites history --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_delete_an_entry() -> None:
    entry = sealed_some(1)[0]
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="read")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["action"])
    entry.action = "read"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.get().action == "decision"


@pytest.mark.django_db
def test_a_user_with_audit_entries_cannot_be_deleted(analyst) -> None:
    from django.db.models import ProtectedError

    from allied.core.models import system_access

    audit.record("read", actor=analyst)
    # Deleting a user looks through marked tables too, which needs a named system context.
    with system_access("test: try to delete a user"), pytest.raises(ProtectedError) as refused:
        analyst.delete()
    assert any(isinstance(obj, AuditEntry) for obj in refused.value.protected_objects)


@on_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditentry SET action = 'read'",
        "DELETE FROM core_auditentry",
        "DELETE FROM core_auditentry WHERE false",
        "TRUNCATE core_auditentry",
    ],
)
def test_the_database_refuses_raw_sql_that_rewrites_history(statement: str) -> None:
    sealed_some(1)
    record_some(1)  # an unsealed entry is guarded as a sealed one is
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE may not leave them pending
        cursor.execute(statement)
    assert AuditEntry.objects.count() == 2


# --- verify finds tampering and says where -------------------------------------------------------


@pytest.mark.django_db
def test_verify_says_which_entry_was_changed() -> None:
    sealed_some(6)
    with tampering() as cursor:
        cursor.execute("UPDATE core_auditentry SET object_id = '99' WHERE sequence = 4")
    assert run_audit("verify") == (1, "entry 4 was changed\n")


@pytest.mark.django_db
def test_verify_says_which_entries_were_removed() -> None:
    sealed_some(10)
    with tampering() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE sequence BETWEEN 4 AND 6")
    assert run_audit("verify") == (1, "entries 4-6 are missing\n")


@pytest.mark.django_db
def test_verify_says_which_entries_were_reordered() -> None:
    sealed_some(8)
    with tampering() as cursor:
        # Swap the places of entries 3 and 6 (through a free number: sequence is unique).
        cursor.execute("UPDATE core_auditentry SET sequence = 1000 WHERE sequence = 3")
        cursor.execute("UPDATE core_auditentry SET sequence = 3 WHERE sequence = 6")
        cursor.execute("UPDATE core_auditentry SET sequence = 6 WHERE sequence = 1000")
    assert run_audit("verify") == (
        1,
        "entry 3 is out of place: it is entry 6 moved here\n"
        "entry 6 is out of place: it is entry 3 moved here\n",
    )


@pytest.mark.django_db
def test_verify_reports_every_finding_at_once_and_as_json() -> None:
    sealed_some(12)
    with tampering() as cursor:
        cursor.execute("UPDATE core_auditentry SET detail = '{\"n\": 0}' WHERE sequence = 2")
        cursor.execute("DELETE FROM core_auditentry WHERE sequence IN (7, 8)")
    code, printed = run_audit("verify", "--json", "--batch-size", "3")
    assert code == 1
    result = json.loads(printed)
    assert (result["intact"], result["entries"], result["keyed"]) == (False, 10, False)
    assert [f["message"] for f in result["findings"]] == [
        "entry 2 was changed",
        "entries 7-8 are missing",
    ]
    assert result["unsealed"] == {"count": 0, "oldest_age_seconds": None}


@pytest.mark.django_db
def test_verify_walks_in_batches_and_an_anchor_catches_entries_cut_from_the_end() -> None:
    sealed_some(7)
    code, head = run_audit("head")
    assert code == 0 and head.startswith("7:")
    with tampering() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE sequence >= 6")
    assert run_audit("verify", "--batch-size", "2") == (0, "audit chain intact: 5 entries\n")
    assert run_audit("verify", "--anchor", head.strip()) == (
        1,
        "entries 6-7 are missing (cut from the end)\n",
    )


@pytest.mark.django_db
def test_tail_prints_the_latest_entries_oldest_first(analyst) -> None:
    record_some(4)
    audit.record("read", actor=analyst, object_type="core.bulletin", object_id=9, marking="(U)")
    audit_sealer.seal()
    code, printed = run_audit("tail", "-n", "2")
    lines = printed.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].split()[0] == "4" and '{"n": 4}' in lines[0]
    assert lines[1].split()[0] == "5"
    assert "us.analyst (USA)  read  core.bulletin:9  (U)" in lines[1]


# --- sign-in, failed sign-in and sign-out --------------------------------------------------------


def entries_as_text() -> str:
    return json.dumps(list(AuditEntry.objects.values()), default=str)


@pytest.mark.django_db
def test_signing_in_and_out_is_recorded_with_the_address(analyst) -> None:
    client = Client()
    response = client.post("/login/", {"username": "us.analyst", "password": PASSWORD})
    assert response.status_code == 302
    client.post("/logout/")
    login, logout = AuditEntry.objects.order_by("id")
    assert (login.action, login.actor, login.detail) == ("login", analyst, {"ip": "127.0.0.1"})
    assert (logout.action, logout.actor, logout.actor_name) == ("logout", analyst, "us.analyst")
    assert PASSWORD not in entries_as_text()


@pytest.mark.django_db
def test_a_failed_sign_in_records_the_username_tried_and_the_address_never_the_password(
    analyst,
) -> None:
    wrong = "not-the-password-42"
    response = Client().post("/login/", {"username": "us.analyst", "password": wrong})
    assert response.status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.actor_name) == ("login_failed", None, "")
    assert entry.detail == {"username": "us.analyst", "ip": "127.0.0.1"}
    assert wrong not in entries_as_text()
    assert "*****" not in entries_as_text()


@pytest.mark.django_db
def test_a_failed_sign_in_for_an_unknown_user_is_recorded_too() -> None:
    Client().post("/login/", {"username": "nobody", "password": "whatever-123"})
    assert AuditEntry.objects.get().detail == {"username": "nobody", "ip": "127.0.0.1"}
    assert get_user_model().objects.count() == 0


# --- refused attempts ----------------------------------------------------------------------------


@pytest.fixture
def fresh_limits() -> Iterator[None]:
    from django.core.cache import caches

    caches["default"].clear()
    yield
    caches["default"].clear()


def denied() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="denied").order_by("id"))


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_limits")
def test_a_refused_write_is_recorded_as_denied(cast) -> None:
    client = Client()
    client.force_login(cast["kor.liaison"])
    response = client.post("/api/intel/products/", {"title": "x"}, content_type="application/json")
    assert response.status_code == 403
    [entry] = denied()
    assert (entry.actor_name, entry.nation) == ("kor.liaison", "KOR")
    assert entry.detail == {"method": "POST", "path": "/api/intel/products/", "status": 403}
    assert entry.marking == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_limits")
def test_a_refused_export_is_recorded_as_denied_naming_the_product(cast) -> None:
    from allied.intel.tests.test_products import make_product

    product = make_product(
        cast["us.analyst"], [(0, "(C//DISPLAY ONLY KOR)", "Shown, never given (fictional).")]
    )
    client = Client()
    client.force_login(cast["kor.liaison"])
    response = client.get(f"/intel/products/{product.pk}/export/")
    assert response.status_code == 409
    [entry] = denied()
    assert (entry.object_type, entry.object_id) == ("intel.product", str(product.pk))
    assert entry.detail["status"] == 409 and entry.actor_name == "kor.liaison"


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_limits")
def test_a_missing_or_hidden_record_is_recorded_without_a_marking(cast) -> None:
    client = Client()
    client.force_login(cast["jpn.liaison"])
    assert client.get("/intel/products/987654/").status_code == 404
    [entry] = denied()
    assert entry.detail["status"] == 404 and entry.marking == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_limits")
def test_denied_entries_are_rate_limited_per_person(cast, settings) -> None:
    settings.ALLIED_AUDIT_DENIED_PER_MINUTE = 3
    crawler, other = Client(), Client()
    crawler.force_login(cast["jpn.liaison"])
    other.force_login(cast["kor.liaison"])
    for n in range(10):
        assert crawler.get(f"/intel/products/{900000 + n}/").status_code == 404
    assert other.get("/intel/products/900000/").status_code == 404
    mine = [e for e in denied() if e.actor_name == "jpn.liaison"]
    assert len(mine) == 4  # three, then one saying the rest of the minute is not recorded
    assert "suppressed" in mine[-1].detail and "suppressed" not in mine[0].detail
    assert [e.actor_name for e in denied()].count("kor.liaison") == 1


@pytest.mark.django_db
def test_rotating_a_token_is_recorded_without_the_token(analyst) -> None:
    from allied.core.management.commands.token import rotate_token

    rotate_token(analyst)
    key = rotate_token(analyst).key
    entries = list(AuditEntry.objects.filter(object_type="authtoken.token"))
    assert len(entries) == 2 and entries[-1].detail == {"token": "rotated", "user": "us.analyst"}
    assert all(key not in json.dumps(e.detail) for e in entries)


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_limits")
def test_a_stray_address_no_route_matches_is_not_a_denied_entry(cast) -> None:
    client = Client()
    client.force_login(cast["jpn.liaison"])
    assert client.get("/favicon.ico").status_code == 404
    assert denied() == []

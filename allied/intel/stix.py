"""STIX 2.1 in and out, with the releasability carried by the objects themselves.

Markings travel in a project extension definition (``ALLIED_MARKING_EXTENSION``): each object's
``extensions`` holds its canonical banner and the IC-ISM attributes the banner stands for
(classification, releasable-to, dissemination controls). The ACS 3.0 marking extension is not
used yet: its property set does not map CAPCO REL TO and DISPLAY ONLY lists one to one.

* ``product_objects`` turns one product, as one viewer may see it, into STIX: a ``report`` for the
  viewer's view of the product and one ``note`` per portion it may see. The report's id depends
  only on the product, its version and the portions shown, so no id or count reveals a withheld
  portion; its marking is the roll-up of what it shows to that viewer.
* ``import_bundle`` stores a bundle's objects, each marked, in one transaction: all or nothing.
  Objects keep Allied's marking extension where they carry it and take the importer's marking
  otherwise; their TLP markings (MISP, OpenCTI and the standard definitions) may only narrow that
  marking or refuse the object, and a marking definition Allied cannot map refuses it unless the
  importer states the marking (``allied.intel.rules.stix_markings``). Each object is stored, and so
  served, with Allied's marking extension rewritten to the marking it was stored with. A version
  (id and ``modified``) is stored once: a changed copy, a new marking included, is a new version
  with a later ``modified``, and a version already stored refuses the import with the same answer
  whoever may read the stored one (``taken_versions``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, connection, transaction

from allied.core import audit, vocabulary
from allied.core.models.marked import StoredMarking, system_access
from allied.core.vocabulary import check
from allied.intel.models import Portion, Product, StixObject
from allied.intel.products.reading import shown_authority
from allied.intel.rules.stix_markings import (
    TlpRefused,
    apply_tlp,
    definitions_of,
    tlp_of,
    unmapped_of,
)
from allied.markings import Marking, render
from allied.markings.access import Viewer, decide
from allied.markings.authority import Authority, ism_attributes
from allied.markings.release import banner_for_viewer

NAMESPACE = uuid.UUID("5d2c8f0e-6d0b-4a7e-9b53-1c4b8a0f3e21")
ALLIED_MARKING_EXTENSION = f"extension-definition--{uuid.uuid5(NAMESPACE, 'allied-marking')}"
ALLIED_IDENTITY = f"identity--{uuid.uuid5(NAMESPACE, 'allied')}"
EPOCH = "2026-01-01T00:00:00.000Z"


class ImportError_(ValueError):
    """A bundle that cannot be imported as it stands; nothing of it was stored."""


class MarkingNeeded(ImportError_):
    """An object carries no marking Allied can read and the importer stated none."""


def stix_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def marking_extension(marking: Marking, authority: Authority | None = None) -> dict[str, Any]:
    """The property extension that carries ``marking`` on a STIX object.

    A classified document's object (a product's report) also carries its classification
    authority block, as the IC-ISM attributes ``classified_by``, ``derived_from``,
    ``classification_reason``, ``declass_date``, ``declass_event``, ``declass_exception``
    (rule 32; EO 13526 sec. 1.6).
    """
    properties: dict[str, Any] = {
        "extension_type": "property-extension",
        "banner": render(marking, "banner"),
        "classification": marking.level.abbrev,
    }
    lists = {
        "releasable_to": list(marking.rel_to),
        "display_only_to": list(marking.display_to),
        "dissemination_controls": list(marking.dissem),
        "sci_controls": [c.system for c in marking.sci],
    }
    # STIX forbids empty lists: a property that would be empty is left out.
    properties.update({name: values for name, values in lists.items() if values})
    if authority is not None:
        properties.update(
            {AUTHORITY_PROPERTIES[name]: value for name, value in ism_attributes(authority).items()}
        )
    return {ALLIED_MARKING_EXTENSION: properties}


#: The IC-ISM names of the authority block, as the extension's snake_case properties.
AUTHORITY_PROPERTIES = {
    "classifiedBy": "classified_by",
    "derivedFrom": "derived_from",
    "classificationReason": "classification_reason",
    "declassDate": "declass_date",
    "declassEvent": "declass_event",
    "declassException": "declass_exception",
}


def with_marking(obj: dict[str, Any], extension: dict[str, Any]) -> dict[str, Any]:
    """``obj`` (unchanged) with Allied's marking ``extension`` (``marking_extension``) in place
    of its own, its other extensions kept: the form in which Allied stores and serves an object."""
    return {**obj, "extensions": {**(obj.get("extensions") or {}), **extension}}


def marking_of(obj: dict[str, Any]) -> str | None:
    """The banner an object's Allied extension carries, or None."""
    extension = (obj.get("extensions") or {}).get(ALLIED_MARKING_EXTENSION)
    if isinstance(extension, dict) and isinstance(extension.get("banner"), str):
        return str(extension["banner"])
    return None


def product_objects(
    product: Product, portions: Sequence[Portion], viewer: Viewer
) -> list[dict[str, Any]]:
    """STIX for ``product`` as ``viewer`` may see it: a report and a note per visible portion."""
    if not portions:
        return []
    shown_ids = ",".join(str(p.pk) for p in portions)
    report_id = f"report--{uuid.uuid5(NAMESPACE, f'{product.pk}:{product.version}:{shown_ids}')}"
    when = stix_time(product.updated)
    notes = []
    for number, portion in enumerate(portions, start=1):
        marking = portion.marking.marking
        notes.append(
            {
                "type": "note",
                "spec_version": "2.1",
                "id": f"note--{uuid.uuid5(NAMESPACE, f'portion:{portion.pk}:{portion.version}')}",
                "created": when,
                "modified": when,
                "created_by_ref": ALLIED_IDENTITY,
                "abstract": f"{render(marking, 'portion')} paragraph {number}",
                "content": f"{render(marking, 'portion')} {portion.text}",
                "object_refs": [report_id],
                "extensions": marking_extension(marking),
            }
        )
    banner = banner_for_viewer(
        [product.marking.marking, *(p.marking.marking for p in portions)], viewer
    )
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": report_id,
        "created": stix_time(product.created),
        "modified": when,
        "created_by_ref": ALLIED_IDENTITY,
        "name": product.title,
        "report_types": ["threat-report"],
        "published": when,
        "labels": [*product.topics, *product.regions],
        "object_refs": [n["id"] for n in notes],
        "extensions": marking_extension(banner, shown_authority(product, banner)),
    }
    return [report, *notes]


def _parse_time(value: Any, what: str, obj_id: str) -> datetime:
    if not isinstance(value, str):
        raise ImportError_(f"{obj_id}: {what} is missing or not a timestamp")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ImportError_(f"{obj_id}: {what} {value!r} is not a STIX timestamp") from exc


def taken_versions(
    collection: str, versions: Iterable[tuple[str, datetime]]
) -> set[tuple[str, datetime]]:
    """Which of ``versions`` (id, modified) ``collection`` already holds, whoever may read them.

    The answer is the same whether or not the importer may read the stored version (it holds
    the object it imports, id and ``modified`` included, and learns nothing of the stored
    copy: not its marking, importer or content); answering a hidden version like a fresh one
    would silently drop the import or store two copies of one version.
    """
    wanted = set(versions)
    ids = sorted({stix_id for stix_id, _ in wanted})
    found: set[tuple[str, datetime]] = set()
    with system_access("STIX import: versions already stored"):
        for start in range(0, len(ids), 2000):
            found.update(
                StixObject.objects.filter(
                    collection=collection, stix_id__in=ids[start : start + 2000]
                ).values_list("stix_id", "modified")
            )
    return found & wanted


def _version_taken(obj_id: str, modified: datetime) -> str:
    return (
        f"{obj_id}: version {stix_time(modified)} is already stored; a changed copy (a new "
        "marking included) is a new version: give it a later modified"
    )


def import_bundle(
    bundle: dict[str, Any] | list[dict[str, Any]],
    *,
    collection: str,
    default_marking: str | None,
    user: Any,
    viewer: Viewer,
) -> int:
    """Store every object of ``bundle`` (a STIX bundle or a list of objects) in one transaction.

    An object carrying Allied's marking extension keeps that marking; any other object gets
    ``default_marking``, the marking the importer states (there is no default default: an
    unmarked import would otherwise be releasable to everyone; ``MarkingNeeded`` without it). An
    object's TLP marking may narrow that marking or refuse the object; an object that refers to a
    marking definition Allied cannot map is refused unless the importer stated the marking
    (``allied.intel.rules.stix_markings``). The importer must be able to read every marking it
    imports. Each object is stored with Allied's marking extension set to its stored marking, so
    every reader gets the marking with the object. A version (id and ``modified``) already stored,
    or given twice, is refused (``taken_versions``). Any invalid object stops the whole import with
    a clear error and stores nothing. Returns the number of objects stored.
    """
    objects = bundle.get("objects") if isinstance(bundle, dict) else bundle
    if not isinstance(objects, list) or not objects:
        raise ImportError_("a bundle holds a non-empty list of objects")
    if default_marking is not None and not vocabulary.explain(default_marking).valid:
        raise ImportError_(f"default marking {default_marking!r} is not a valid banner marking")
    now = datetime.now(UTC)
    rows: list[_Row] = []
    markings: dict[tuple[str, str | None], StoredMarking] = {}
    extensions: dict[int, dict[str, Any]] = {}
    tlp_definitions = definitions_of(objects)
    versions: set[tuple[str, datetime]] = set()
    for index, obj in enumerate(objects):
        obj_id, obj_type, modified = _identity(index, obj, versions)
        unmapped = unmapped_of(obj, tlp_definitions)
        if unmapped and default_marking is None:
            raise ImportError_(
                f"{obj_id}: Allied cannot map the marking definition {', '.join(unmapped)} onto "
                "a classification marking; state the marking of the envelope (marking=...) to "
                "import it"
            )
        text = marking_of(obj) or default_marking
        if text is None:
            raise MarkingNeeded(f"{obj_id}: carries no Allied marking and the envelope states none")
        tlp = tlp_of(obj, tlp_definitions)
        stored = markings.get((text, tlp))
        if stored is None:
            marking = _import_marking(obj_id, text, tlp, viewer)
            stored = markings[(text, tlp)] = StoredMarking.objects.intern(marking)
            extensions[stored.pk] = marking_extension(marking)
        rows.append(
            (obj_id, obj_type, modified, with_marking(obj, extensions[stored.pk]), stored.pk)
        )
    _refuse_taken(collection, versions)
    _store(rows, collection, now, user)
    return len(rows)


def _identity(
    index: int, obj: Any, versions: set[tuple[str, datetime]]
) -> tuple[str, str, datetime]:
    """The id, type and ``modified`` of the envelope's object ``index``, each checked; the
    version joins ``versions`` (a version given twice is refused)."""
    if not isinstance(obj, dict):
        raise ImportError_(f"object {index} is not a JSON object")
    obj_id = obj.get("id")
    obj_type = obj.get("type")
    if not isinstance(obj_id, str) or not isinstance(obj_type, str):
        raise ImportError_(f"object {index} has no id or type")
    if not obj_id.startswith(f"{obj_type}--"):
        raise ImportError_(f"{obj_id}: the id does not start with its type {obj_type}--")
    if obj.get("spec_version", "2.1") != "2.1":
        raise ImportError_(f"{obj_id}: only STIX 2.1 is imported")
    modified = _parse_time(obj.get("modified", obj.get("created", EPOCH)), "modified", obj_id)
    if (obj_id, modified) in versions:
        raise ImportError_(f"{obj_id}: version {stix_time(modified)} appears twice in the envelope")
    versions.add((obj_id, modified))
    return obj_id, obj_type, modified


def _import_marking(obj_id: str, text: str, tlp: str | None, viewer: Viewer) -> Marking:
    """The marking an object is stored with: ``text`` (the object's own or the envelope's, as
    typed by a person: ``vocabulary.explain``) narrowed by its TLP marking, which its importer
    must be able to read."""
    explained = vocabulary.explain(text)
    if explained.marking is None:
        problems = "; ".join(explained.problems)
        raise ImportError_(f"{obj_id}: invalid marking {text!r}: {problems}")
    try:
        marking = apply_tlp(explained.marking, tlp, viewer.nation)
    except TlpRefused as exc:
        raise ImportError_(f"{obj_id}: {exc}") from exc
    narrowed = check(render(marking))
    if not narrowed.valid or narrowed.marking is None:
        problems = "; ".join(str(p) for p in narrowed.problems)
        raise ImportError_(f"{obj_id}: TLP:{tlp} makes {text!r} invalid: {problems}")
    marking = narrowed.marking
    if not decide(viewer, marking).view:
        raise ImportError_(
            f"{obj_id}: you could not read an object marked {render(marking)}, so you "
            "cannot import one"
        )
    return marking


def _refuse_taken(collection: str, versions: set[tuple[str, datetime]]) -> None:
    """Refuse the import when ``collection`` holds any of ``versions`` already."""
    taken = taken_versions(collection, versions)
    if taken:
        first = min(taken)
        more = f" (and {len(taken) - 1} more)" if len(taken) > 1 else ""
        raise ImportError_(_version_taken(*first) + more)


def _store(rows: list[_Row], collection: str, now: datetime, user: Any) -> None:
    """Store every row with one audit entry, in one transaction: all or nothing."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                stored_all = _copy_rows(rows, collection, now, user.pk) == len(rows)
            else:
                stored_all = _bulk_create_rows(rows, collection, now, user) == len(rows)
            if not stored_all:
                raise IntegrityError("a version was stored by another import meanwhile")
            audit.record(
                "write",
                actor=user,
                object_type="intel.stixobject",
                object_id=collection,
                detail={"imported": len(rows), "collection": collection},
            )
    except IntegrityError as exc:
        # Another import stored one of these versions since they were looked up.
        raise ImportError_(
            "a version in this envelope was stored by another import at the same time; send "
            "the envelope again to learn which"
        ) from exc


# One object to store: id, type, modified, body (with its marking extension), marking id.
_Row = tuple[str, str, datetime, dict[str, Any], int]
_COLUMNS = "collection, stix_id, stix_type, modified, date_added, body, imported_by_id, marking_id"


def _bulk_create_rows(rows: list[_Row], collection: str, now: datetime, user: Any) -> int:
    """Store ``rows`` with the ORM (SQLite); the number stored (all, or IntegrityError)."""
    StixObject.objects.bulk_create(
        [
            StixObject(
                collection=collection,
                stix_id=stix_id,
                stix_type=stix_type,
                modified=modified,
                date_added=now,
                body=body,
                imported_by=user,
                marking_id=marking_id,
            )
            for stix_id, stix_type, modified, body, marking_id in rows
        ],
        batch_size=2000,
    )
    return len(rows)


def _copy_rows(rows: list[_Row], collection: str, now: datetime, user_id: int) -> int:
    """Store ``rows`` on PostgreSQL; the number stored, fewer when some version was already there.

    Django's bulk insert binds each column as an array, and psycopg escapes every 1 KB JSON body
    into an array literal in Python: most of an import's time. ``COPY`` streams the rows instead,
    into a temporary table (``COPY`` into the marked table itself is refused under row-level
    security), and one ``INSERT ... SELECT`` moves them, in envelope order so that ids follow it
    (TAXII pages by date added, then id). ``ON CONFLICT DO NOTHING`` leaves a version another
    import stored meanwhile; the caller compares the count and rolls the whole import back, so an
    import stays all or nothing without an error aborting the transaction.
    """
    dumps = json.dumps  # as Django's JSONField writes it
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE allied_stix_import (stix_id varchar(100), "
            "stix_type varchar(64), modified timestamptz, body jsonb, marking_id bigint, "
            "seq integer)"
        )
        with cursor.cursor.copy(
            "COPY allied_stix_import (stix_id, stix_type, modified, body, marking_id, seq) "
            "FROM STDIN"
        ) as copy:
            for seq, (stix_id, stix_type, modified, body, marking_id) in enumerate(rows):
                copy.write_row((stix_id, stix_type, modified, dumps(body), marking_id, seq))
        cursor.execute(
            f"INSERT INTO intel_stixobject ({_COLUMNS}) SELECT %s, stix_id, stix_type, modified, "
            "%s, body, %s, marking_id FROM allied_stix_import ORDER BY seq "
            "ON CONFLICT (collection, stix_id, modified) DO NOTHING",
            [collection, now, user_id],
        )
        stored = cursor.rowcount
        cursor.execute("DROP TABLE allied_stix_import")
    return int(stored)

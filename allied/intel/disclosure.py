"""The foreign-disclosure workflow: asking for a release, what an officer sees, and deciding.

Shared by the pages (``views.disclosure``), the API (``api/disclosure``) and the demo, so that
each surface asks and decides the same way. Every read goes through the acting person's
restricted querysets; every write is re-read by its author in the same transaction
(``write_visible``) and audited with it. The rules themselves (ceilings, trust tiers, widening a
portion's marking) are pure and live in ``allied.intel.rules.disclosure``.

A request is marked with the roll-up of the portions it names (it reveals that they exist). A
decision is U.S. deliberation about a partner and copies the partner's ceiling and trust tier
(U.S. assessments): it is marked with the roll-up of the request, of the ceiling and tier rows the
officer saw, and of NOFORN, so that no partner ever sees one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from allied.core import audit, vocabulary
from allied.core.edit import StaleVersion, visible_or_404
from allied.core.models import Nation, StoredMarking, TrustTier, system_access
from allied.core.models.marked import MarkedModel, write_visible
from allied.core.viewers import partner_viewer
from allied.intel.models import (
    DisclosureCeiling,
    DisclosureDecision,
    DisclosureRequest,
    Outcome,
    Portion,
    PortionRevision,
    Product,
    RequestScope,
    RequestStatus,
)
from allied.intel.rules.disclosure import Category, Widening, effective_ceiling, widen_release
from allied.markings import Level, Marking, render
from allied.markings.access import Viewer, decide, required_accesses
from allied.markings.rollup import rollup_portions

STATUS_AFTER: dict[str, str] = {
    Outcome.APPROVE: RequestStatus.APPROVED,
    Outcome.APPROVE_SANITISED: RequestStatus.APPROVED_SANITISED,
    Outcome.DENY: RequestStatus.DENIED,
    Outcome.ESCALATE: RequestStatus.ESCALATED,
}
#: A decision records U.S. deliberation about a partner (the officer's reasons, the ceiling and
#: trust tier consulted): it is never releasable further than NOFORN, whatever its request.
DELIBERATION_FLOOR = "UNCLASSIFIED//NOFORN"
#: Requests an officer still has to act on.
OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.ESCALATED)


class DisclosureError(Exception):
    """A request or decision that cannot be made as asked; nothing was written."""

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        self.errors = {"__all__": [errors]} if isinstance(errors, str) else errors
        super().__init__("; ".join(m for ms in self.errors.values() for m in ms))


class Refused(DisclosureError):
    """The decision breaks a rule (a blocked portion, a missing reason); nothing was written."""


# --- partners as the rules see them -----------------------------------------------------------


def already_releasable(marking: Marking, partner: str, on: date) -> bool:
    """Whether ``marking`` already goes to ``partner``: by its REL TO list (directly or through a
    community the partner belongs to on ``on``), or because widening it would change nothing."""
    if widen_release(marking, partner, Level.TS).marking == marking:
        return True
    cleared = replace(partner_viewer(partner, Level.TS, on), accesses=required_accesses(marking))
    return decide(cleared, marking, on).export


# --- asking ------------------------------------------------------------------------------------


def request_marking(portions: Sequence[Portion]) -> Marking:
    """The marking of a request naming ``portions``: the roll-up of their markings."""
    return rollup_portions([p.marking.marking for p in portions])


def partner_request_marking(product: Product, partner: str, viewer: Viewer, on: date) -> Marking:
    """The marking of ``partner``'s request for the rest of ``product``: the product's own
    marking narrowed to the United States and that partner (rule 24(b)), so that the asker and
    U.S. officers read it and no other partner learns that it asked. Where narrowing would hide
    the request from its asker (it reads the product through a community code, P7), the
    product's marking, which the asker reads, is kept."""
    own = product.marking.marking
    narrowed = rollup_portions(
        [own, Marking(level=Level.U, dissem=("REL",), rel_to=("USA", partner))]
    )
    return narrowed if decide(viewer, narrowed, on).view else own


def create_request(
    *,
    user: Any,
    viewer: Viewer,
    product: Product,
    portions: Sequence[Portion],
    partner: Nation | None,
    purpose: str,
) -> DisclosureRequest:
    """Ask that ``portions`` of ``product`` be released to ``partner`` for ``purpose``.

    A U.S. person names the portions and the partner. A partner asks for itself, naming no
    portion: it reads part of the product (its tearline) and asks for the rest, which it never
    learns about (see ``create_partner_request``). ``product`` and ``portions`` must come from
    the asker's restricted querysets; the request is re-read through them too.
    """
    if not viewer.is_us:
        return create_partner_request(
            user=user,
            viewer=viewer,
            product=product,
            portions=portions,
            partner=partner,
            purpose=purpose,
        )
    errors: dict[str, list[str]] = {}
    if partner is None:
        raise Refused({"partner": ["Choose the partner nation."]})
    if not portions:
        errors["portions"] = ["Choose at least one portion."]
    elif any(p.product_id != product.pk for p in portions):
        errors["portions"] = ["Choose portions of this product only."]
    if partner.iso3 == "USA":
        errors["partner"] = ["Choose a partner nation, not the United States."]
    if not purpose.strip():
        errors["purpose"] = ["Say what the partner needs this for."]
    if errors:
        raise Refused(errors)
    day = timezone.localdate()
    if all(already_releasable(p.marking.marking, partner.iso3, day) for p in portions):
        raise Refused(
            {"portions": [f"Every chosen portion is already releasable to {partner.iso3}."]}
        )
    with transaction.atomic():
        obj = DisclosureRequest(
            product=product,
            partner=partner,
            purpose=purpose.strip(),
            requested_by=user,
        )
        obj.set_marking(request_marking(portions))
        _save_new_request(
            obj,
            portions,
            user=user,
            viewer=viewer,
            day=day,
            detail={"portions": sorted(p.pk for p in portions), "partner": partner.iso3},
        )
    return obj


def _save_new_request(
    obj: DisclosureRequest,
    portions: Sequence[Portion],
    *,
    user: Any,
    viewer: Viewer,
    day: date,
    detail: dict[str, Any],
) -> None:
    """Save a new request with its ``portions``, re-read as its asker, and record the write.

    Call inside the asker's transaction: a request the asker could not read back is rolled back.
    """

    def write() -> DisclosureRequest:
        obj.save()
        if portions:
            obj.portions.add(*portions)
        return obj

    write_visible(write, viewer, on=day)
    audit.record(
        "write",
        actor=user,
        obj=obj,
        detail={"created": True, "product": obj.product_id, **detail},
    )


def create_partner_request(
    *,
    user: Any,
    viewer: Viewer,
    product: Product,
    portions: Sequence[Portion] = (),
    partner: Nation | None = None,
    purpose: str,
) -> DisclosureRequest:
    """A partner's request that more of ``product`` be released to it, for ``purpose``.

    The partner asks for its own nation and names no portion; every answer is the same whatever
    the product holds beyond what the partner reads (no count, id or marking of the rest), so
    that asking tells it nothing. A U.S. disclosure officer sees the portions the partner cannot
    read yet and decides as on any request.
    """
    errors: dict[str, list[str]] = {}
    if partner is not None and partner.iso3 != viewer.nation:
        errors["partner"] = ["A partner asks for release to its own nation only."]
    if portions:
        errors["portions"] = [
            "Name no portion: what you read is released to you already. The request asks for "
            "the rest of the product."
        ]
    if not purpose.strip():
        errors["purpose"] = ["Say what you need this for."]
    if errors:
        raise Refused(errors)
    day = timezone.localdate()
    with transaction.atomic():
        obj = DisclosureRequest(
            product=product,
            partner_id=viewer.nation,
            purpose=purpose.strip(),
            requested_by=user,
            scope=RequestScope.REST,
        )
        obj.set_marking(partner_request_marking(product, viewer.nation, viewer, day))
        _save_new_request(
            obj,
            (),
            user=user,
            viewer=viewer,
            day=day,
            detail={"scope": RequestScope.REST.value, "partner": viewer.nation},
        )
    return obj


def requested_portions(req: DisclosureRequest, viewer: Viewer, day: date) -> Any:
    """The portions a request asks for, as far as ``viewer`` may see them: those it names, or
    for a partner's request, the product's portions the partner cannot read yet."""
    portions = Portion.objects.visible_to(viewer, on=day)
    if req.scope != RequestScope.REST:
        return portions.filter(requests=req)
    return portions.filter(product_id=req.product_id)


def _asked_count(req: DisclosureRequest) -> int:
    """How many portions a request asks for, whether or not the officer may see them (ids only)."""
    if req.scope != RequestScope.REST:
        through = DisclosureRequest.portions.through.objects
        return int(through.filter(disclosurerequest_id=req.pk).count())
    with system_access(f"disclosure: count the portions of request {req.pk}'s product"):
        return int(Portion.objects.filter(product_id=req.product_id).count())


# --- what an officer sees -------------------------------------------------------------------


@dataclass(frozen=True)
class PortionCheck:
    """One requested portion and what approval would make of it."""

    portion: Portion
    widening: Widening

    @property
    def before(self) -> str:
        return render(self.portion.marking.marking, "portion")

    @property
    def after(self) -> str | None:
        marking = self.widening.marking
        return None if marking is None else render(marking, "portion")

    @property
    def changes(self) -> bool:
        return self.widening.allowed and self.widening.marking != self.portion.marking.marking


@dataclass
class DecisionContext:
    """Everything the decision page shows, all read through the officer's restricted querysets."""

    request: DisclosureRequest
    day: date
    product: Product | None
    ceiling: DisclosureCeiling | None
    tier: TrustTier | None
    effective: Level
    portions: list[PortionCheck]
    hidden_portions: int
    metadata: Widening | None
    metadata_releasable: bool
    latest: DisclosureDecision | None
    decisions: list[DisclosureDecision] = field(default_factory=list)

    @property
    def partner(self) -> str:
        return str(self.request.partner_id)

    @property
    def category(self) -> Category | None:
        return None if self.product is None else Category(self.product.category)

    @property
    def recorded(self) -> Level | None:
        return None if self.ceiling is None else Level(self.ceiling.level)

    @property
    def latest_number(self) -> int:
        return 0 if self.latest is None else self.latest.number

    @property
    def closed(self) -> bool:
        """A full approval ends the request: a release cannot be withdrawn by a later decision."""
        return self.latest is not None and self.latest.outcome == Outcome.APPROVE

    @property
    def blockers(self) -> list[str]:
        """Why the request cannot be approved as it stands (empty when it can)."""
        found: list[str] = []
        if self.product is None:
            found.append("You may not see this product, so you cannot release any of it.")
        if self.hidden_portions:
            found.append(
                "Some requested portions are not visible to you; an officer with their "
                "accesses must decide."
            )
        for index, check in enumerate(self.portions, start=1):
            if not check.widening.allowed:
                found.append(
                    f"Portion {index} {check.before}: {check.widening.blocked_by} "
                    f"(rule {check.widening.rule})."
                )
        if self.portions and not any(c.changes for c in self.portions) and not found:
            found.append(f"Every requested portion is already releasable to {self.partner}.")
        if not self.portions and not found:
            found.append(f"{self.partner} reads every portion of this product already.")
        return found

    @property
    def can_approve(self) -> bool:
        return not self.blockers and not self.closed

    @property
    def shown(self) -> list[MarkedModel]:
        """Every marked row this context holds, for the page's banner and the audit log."""
        rows: list[MarkedModel] = [self.request, *self.decisions]
        rows += [c.portion for c in self.portions]
        rows += [r for r in (self.product, self.ceiling, self.tier) if r is not None]
        return rows


def ceiling_in_force(viewer: Viewer, partner: str, category: int, day: date) -> Any:
    """The partner's recorded ceiling in ``category`` on ``day`` that ``viewer`` may see."""
    return (
        DisclosureCeiling.objects.visible_to(viewer, on=day)
        .filter(nation_id=partner, category=category, effective_from__lte=day)
        .select_related("marking", "set_by")
        .order_by("-effective_from", "-pk")
        .first()
    )


def tier_in_force(viewer: Viewer, partner: str, day: date) -> Any:
    """The partner's trust tier in force on ``day`` that ``viewer`` may see."""
    return (
        TrustTier.objects.visible_to(viewer, on=day)
        .in_force_on(day)
        .filter(nation_id=partner)
        .select_related("marking", "set_by")
        .first()
    )


def decision_context(
    req: DisclosureRequest, viewer: Viewer, *, on: date | None = None, lock: bool = False
) -> DecisionContext:
    """What an officer sees before deciding ``req``, read through the officer's querysets.

    With ``lock`` (inside a transaction) the product and the requested portions are locked
    until it ends, so that nobody changes them between the check and the write.
    """
    day = on or timezone.localdate()
    partner = str(req.partner_id)
    products = Product.objects.visible_to(viewer, on=day).select_related("marking")
    portions = (
        requested_portions(req, viewer, day)
        .select_related("marking")
        .order_by("section", "order", "pk")
    )
    if lock:
        products = products.select_for_update(of=("self",))
        portions = portions.select_for_update(of=("self",))
    product = products.filter(pk=req.product_id).first()
    ceiling = None if product is None else ceiling_in_force(viewer, partner, product.category, day)
    tier = tier_in_force(viewer, partner, day)
    effective = effective_ceiling(
        None if ceiling is None else Level(ceiling.level), None if tier is None else tier.tier
    )
    seen = list(portions)
    visible = seen
    # Ids only: how many portions were asked for, whether or not the officer may see each.
    asked = _asked_count(req)
    if req.scope == RequestScope.REST:
        # What the partner reads already is not part of its request.
        visible = [p for p in seen if not already_releasable(p.marking.marking, partner, day)]
    checks = [
        PortionCheck(p, widen_release(p.marking.marking, partner, effective)) for p in visible
    ]
    metadata = None
    releasable = False
    if product is not None:
        meta = product.marking.marking
        releasable = decide(partner_viewer(partner, effective, day), meta, day).export
        metadata = widen_release(meta, partner, effective)
    decisions = list(
        DisclosureDecision.objects.visible_to(viewer, on=day)
        .filter(request=req)
        .select_related("marking", "decided_by")
        .order_by("number")
    )
    return DecisionContext(
        request=req,
        day=day,
        product=product,
        ceiling=ceiling,
        tier=tier,
        effective=effective,
        portions=checks,
        hidden_portions=max(asked - len(seen), 0),
        metadata=metadata,
        metadata_releasable=releasable,
        latest=decisions[-1] if decisions else None,
        decisions=decisions,
    )


# --- deciding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    """What the officer submitted, with the state the form was shown in (for the stale check)."""

    outcome: str
    seen_number: int
    reason: str = ""
    sanitised_text: str = ""
    sanitised_marking: str = ""
    release_metadata: bool = False
    seen_product_version: int | None = None


def check_sanitised(
    text: str, marking_text: str, ctx: DecisionContext
) -> tuple[Marking | None, list[str]]:
    """The sanitised portion's marking, or every reason it cannot go to the partner."""
    errors: list[str] = []
    if not text.strip():
        errors.append("Give the releasable text.")
    explained = vocabulary.explain(
        marking_text,
        form="portion",
        empty="Give the releasable text's portion mark, e.g. (C//REL TO USA, JPN).",
    )
    marking = explained.marking
    if marking is None:
        return None, [*errors, *explained.problems]
    if marking.rel_short:
        errors.append("Write the REL TO list in full, e.g. (C//REL TO USA, JPN).")
        return None, errors
    mark = render(marking, "portion")
    answer = decide(partner_viewer(ctx.partner, ctx.effective, ctx.day), marking, ctx.day)
    if marking.level > ctx.effective:
        errors.append(
            f"{mark} is above {ctx.partner}'s ceiling ({ctx.effective.title}) for this category."
        )
    elif not answer.export:
        errors.append(f"{mark} is not releasable to {ctx.partner}: {answer.reason}.")
    return marking, errors


def decide_request(
    request_id: int,
    *,
    user: Any,
    viewer: Viewer,
    given: DecisionInput,
    on: date | None = None,
) -> DisclosureDecision:
    """Record the next decision on a request and apply it, all in one transaction.

    Answers 404 when the officer may not see the request (as for a missing one), raises
    ``StaleVersion`` (409) when another decision or a change to the product came in since the
    form was shown, and ``Refused`` when a rule forbids the decision. In every one of those
    cases nothing is written.
    """
    day = on or timezone.localdate()
    try:
        with transaction.atomic():
            return _decide(request_id, user=user, viewer=viewer, given=given, day=day)
    except IntegrityError as exc:
        # Two officers numbered their decisions alike: the unique constraint is the last guard.
        raise StaleVersion(
            "request",
            given.seen_number,
            None,
            message="Another decision was recorded on this request while you were deciding. "
            "Nothing was saved: read it and decide again.",
        ) from exc


def _decide(
    request_id: int, *, user: Any, viewer: Viewer, given: DecisionInput, day: date
) -> DisclosureDecision:
    req = visible_or_404(
        DisclosureRequest.objects.visible_to(viewer, on=day)
        .select_for_update(of=("self",))
        .select_related("marking"),
        pk=request_id,
    )
    ctx = decision_context(req, viewer, on=day, lock=True)
    _refuse_stale(ctx, given)
    outcome = Outcome(given.outcome)
    reason = given.reason.strip()
    releasing = outcome in (Outcome.APPROVE, Outcome.APPROVE_SANITISED)
    widen_metadata = releasing and given.release_metadata and not ctx.metadata_releasable
    sanitised = _refuse_broken_rules(ctx, given, outcome, reason, widen_metadata)

    product = ctx.product
    changes: dict[str, Any] = {}
    if releasing and product is not None:
        changes = _release(ctx, product, user, viewer, outcome, given, sanitised, widen_metadata)
    seen_rows: list[Marking] = [vocabulary.parse(DELIBERATION_FLOOR), req.marking.marking]
    seen_rows += [r.marking.marking for r in (ctx.ceiling, ctx.tier) if r is not None]
    if sanitised is not None:
        seen_rows.append(sanitised)
    decision = DisclosureDecision(
        request=req,
        number=ctx.latest_number + 1,
        outcome=outcome,
        reason=reason,
        sanitised_text=given.sanitised_text.strip() if sanitised is not None else "",
        ceiling=int(ctx.effective),
        trust_tier=None if ctx.tier is None else ctx.tier.tier,
        # The version the decision leaves the product at (a new one when it released anything).
        product_version=0 if product is None else product.version,
        decided_by=user,
    )
    decision.set_marking(rollup_portions(seen_rows))
    _save(decision, user, viewer, day)
    req.status = STATUS_AFTER[outcome]
    req.decided_at = decision.decided_at
    _save(req, user, viewer, day, update_fields=["status", "decided_at"])
    audit.record(
        "decision",
        actor=user,
        obj=decision,
        detail={
            "request": req.pk,
            "number": decision.number,
            "outcome": str(outcome),
            "partner": ctx.partner,
            "category": None if product is None else product.category,
            "recorded_ceiling": None if ctx.recorded is None else int(ctx.recorded),
            "trust_tier": decision.trust_tier,
            "effective_ceiling": int(ctx.effective),
            "supersedes": ctx.latest_number or None,
            **changes,
        },
    )
    return decision


def _refuse_stale(ctx: DecisionContext, given: DecisionInput) -> None:
    """Refuse a decision made from a state of the request or product that has since changed
    (``StaleVersion``), or on a request a full approval closed (``Refused``)."""
    if given.seen_number > ctx.latest_number:
        # Not a stale form but a number no decision has: bad input, on its field.
        latest = ctx.latest_number
        raise Refused(
            {"seen_number": [f"No decision {given.seen_number}; the latest is {latest}."]}
        )
    if ctx.latest_number != given.seen_number:
        raise StaleVersion(
            "request",
            given.seen_number,
            ctx.latest_number,
            message=f"Decision {ctx.latest_number} was recorded on this request after you "
            "opened it. Nothing was saved: read it and decide again.",
        )
    releasing = given.outcome in (Outcome.APPROVE, Outcome.APPROVE_SANITISED)
    seen_version = given.seen_product_version
    if releasing and ctx.product is not None and seen_version not in (None, ctx.product.version):
        raise StaleVersion(
            "product",
            seen_version,
            ctx.product.version,
            message=f"The product changed (now version {ctx.product.version}) after you opened "
            "this request. Nothing was saved: check it again and decide.",
        )
    if ctx.closed:
        raise Refused(
            "This request was approved in full; a release cannot be withdrawn by a later decision."
        )


def _refuse_broken_rules(
    ctx: DecisionContext,
    given: DecisionInput,
    outcome: Outcome,
    reason: str,
    widen_metadata: bool,
) -> Marking | None:
    """Refuse, with every reason by field, a decision a rule forbids; else the sanitised
    portion's marking (for an approval with sanitisation)."""
    errors: dict[str, list[str]] = {}
    sanitised: Marking | None = None
    if outcome in (Outcome.DENY, Outcome.ESCALATE) and not reason:
        what = "a denial" if outcome == Outcome.DENY else "an exception to policy"
        errors["reason"] = [f"Give the reason for {what}."]
    if outcome in (Outcome.APPROVE, Outcome.APPROVE_SANITISED) and ctx.product is None:
        errors["__all__"] = ["You may not see this product, so you cannot release any of it."]
    if outcome == Outcome.APPROVE and not ctx.can_approve:
        errors["__all__"] = [
            "Approval is refused: " + " ".join(ctx.blockers) + " Deny it, approve a sanitised "
            "version, or escalate it as an exception to policy."
        ]
    if outcome == Outcome.APPROVE_SANITISED:
        sanitised, problems = check_sanitised(given.sanitised_text, given.sanitised_marking, ctx)
        if problems:
            errors["sanitised_marking"] = problems
    if widen_metadata and (ctx.metadata is None or not ctx.metadata.allowed):
        blocked = "" if ctx.metadata is None else f": {ctx.metadata.blocked_by}"
        errors["release_metadata"] = [f"The product's title and metadata cannot go{blocked}."]
    if errors:
        raise Refused(errors)
    return sanitised


def _release(
    ctx: DecisionContext,
    product: Product,
    user: Any,
    viewer: Viewer,
    outcome: Outcome,
    given: DecisionInput,
    sanitised: Marking | None,
    widen_metadata: bool,
) -> dict[str, Any]:
    """Apply an approval to the product as a new version; return what changed, for the audit."""
    day = ctx.day
    why = f"Released to {ctx.partner} by disclosure request {ctx.request.pk}, decision " + str(
        ctx.latest_number + 1
    )
    changed: list[dict[str, Any]] = []
    if outcome == Outcome.APPROVE:
        for check in ctx.portions:
            if not check.changes or check.widening.marking is None:
                continue
            portion = check.portion
            revision = PortionRevision(
                portion=portion,
                version=portion.version,
                text=portion.text,
                changed_by=user,
                reason=why,
                marking=portion.marking,
            )
            _save(revision, user, viewer, day)
            portion.set_marking(check.widening.marking)
            portion.version += 1
            _save(portion, user, viewer, day, update_fields=["marking", "version"])
            changed.append(
                {
                    "portion": portion.pk,
                    "from": check.before,
                    "to": check.after,
                    "version": portion.version,
                    "revision": revision.pk,
                }
            )
    new_portion: Portion | None = None
    if outcome == Outcome.APPROVE_SANITISED and sanitised is not None:
        with system_access(f"disclosure: place the tearline of request {ctx.request.pk}"):
            # Sections hidden from the officer still hold their numbers.
            last = Portion.objects.filter(product=product).aggregate(s=models.Max("section"))["s"]
        new_portion = Portion(
            product=product,
            section=(last or 0) + 1,
            order=1,
            text=given.sanitised_text.strip(),
        )
        new_portion.set_marking(sanitised)
        _save(new_portion, user, viewer, day)
    fields = ["version", "banner", "updated"]
    metadata: dict[str, str] = {}
    if widen_metadata and ctx.metadata is not None and ctx.metadata.marking is not None:
        before = product.marking.text
        product.set_marking(ctx.metadata.marking)
        metadata = {"from": before, "to": product.marking.text}
        fields.append("marking")
    product.version += 1
    product.banner = roll_up_banner(product)
    _save(product, user, viewer, day, update_fields=fields)
    return {
        "product": product.pk,
        "product_version": product.version,
        "portions": changed,
        "tearline_portion": None if new_portion is None else new_portion.pk,
        "metadata": metadata or None,
    }


def roll_up_banner(product: Product) -> StoredMarking:
    """The roll-up of every portion of ``product``, tearlines included (P8).

    Read under a named system access: the banner covers portions the acting officer may not
    see, and is kept for authors and analytics, never shown to that officer from here.
    """
    with system_access(f"disclosure: roll up the banner of product {product.pk}"):
        markings = [
            p.marking.marking
            for p in Portion.objects.filter(product=product).select_related("marking")
        ]
    return StoredMarking.objects.intern(rollup_portions(markings))


def _save(obj: MarkedModel, user: Any, viewer: Viewer, day: date, **kwargs: Any) -> MarkedModel:
    """Save ``obj``, re-read it as ``viewer`` and audit the write, or roll everything back."""
    created = obj.pk is None

    def write() -> MarkedModel:
        obj.save(**kwargs)
        return obj

    write_visible(write, viewer, on=day)
    audit.record("write", actor=user, obj=obj, detail={"created": created})
    return obj

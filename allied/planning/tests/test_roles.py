"""The default marking of a partner's role (pure): widened so that the partner reads it, where the
rules allow (rule numbers from the project's markings rule set)."""

from __future__ import annotations

from allied.markings import parse
from allied.markings.access import Membership, Viewer
from allied.markings.vocab import Level
from allied.planning.rules.roles import nation_reads, role_marking, role_visibility

JPN = Viewer("JPN", Level.U)
AUS = Viewer("AUS", Level.U, memberships=(Membership("FVEY"),))


def test_a_noforn_roll_up_is_widened_to_the_partner_rule_24a():
    role = role_marking(parse("SECRET//NOFORN"), JPN)
    assert role.readable and role.widened
    assert str(role.marking) == "SECRET//REL TO USA, JPN"


def test_a_rel_to_list_gains_the_partner_and_a_readable_one_is_kept_rule_24b():
    role = role_marking(parse("SECRET//REL TO USA, AUS"), JPN)
    assert str(role.marking) == "SECRET//REL TO USA, AUS, JPN" and role.widened
    kept = role_marking(parse("SECRET//REL TO USA, FVEY"), AUS)
    assert kept.readable and not kept.widened and str(kept.marking) == "SECRET//REL TO USA, FVEY"


def test_what_is_noforn_by_source_is_not_widened_and_says_why():
    orcon = role_marking(parse("SECRET//ORCON/NOFORN"), JPN)  # rule 21: the originator decides
    assert not orcon.readable and orcon.rule == "21" and "ORCON" in orcon.reason
    assert str(orcon.marking) == "SECRET//ORCON/NOFORN"
    hcs = role_marking(parse("TOP SECRET//HCS-P XYZ//NOFORN"), JPN)  # rule 15: HCS needs NOFORN
    assert not hcs.readable and hcs.rule == "15"


def test_a_nation_reads_by_releasability_not_a_persons_clearance():
    # A nation has no clearance: TOP SECRET releasable to Japan is readable by Japan.
    assert nation_reads(JPN, parse("TOP SECRET//REL TO USA, JPN"))[0]
    readable, reason, rule = nation_reads(JPN, parse("SECRET//REL TO USA, AUS"))
    assert not readable and rule == "24(b)" and "JPN" in reason


def test_a_role_of_a_task_the_partner_cannot_read_is_not_readable_rule_24a():
    # The role itself could be widened, but Japan would not see the NOFORN task it belongs to.
    parents = [("plan", parse("SECRET//REL TO USA, JPN")), ("task", parse("SECRET//NOFORN"))]
    role = role_marking(parse("SECRET//NOFORN"), JPN, parents=parents)
    assert not role.readable and role.rule == "24(a)"
    assert "the task is marked SECRET//NOFORN" in role.reason
    readable, reason, _ = role_visibility(JPN, parse("SECRET//REL TO USA, JPN"), parents)
    assert not readable and reason.startswith("the task is marked SECRET//NOFORN")

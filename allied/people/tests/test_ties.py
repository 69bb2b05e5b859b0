"""Coverage, rotation risk, languages and the network, computed from what each viewer may see."""

from datetime import date, timedelta

import pytest

from allied.core.models import StoredMarking, system_access
from allied.people import ties
from allied.people.models import Contact, CrisisPair, Official, Participation
from allied.people.rules.coverage import Status

pytestmark = pytest.mark.django_db


def viewer(cast, username):
    return cast[username].principal.viewer()


def statuses(cast, username):
    data = ties.compute(viewer(cast, username))
    data.load_all()
    return {data.pairs[r.pair.key].scenario.split(" (")[0]: r.status for r in data.results}


def test_a_us_planner_sees_every_partners_pairs_with_their_coverage(demo):
    seen = statuses(demo, "us.planner")
    assert seen == {
        "Maritime crisis in the East China Sea": Status.COVERED,
        "Defence of the southwestern islands": Status.NEVER_MET,
        "Crisis on the Korean Peninsula": Status.COVERED,
        "Incident at a shoal in the South China Sea": Status.STALE,
        "Humanitarian evacuation in the Indian Ocean": Status.COVERED,
        "Combined response in the Pacific": Status.COVERED,
    }


def test_a_liaison_officer_sees_only_its_own_nations_pairs(demo):
    assert set(statuses(demo, "jpn.liaison")) == {
        "Maritime crisis in the East China Sea",
        "Defence of the southwestern islands",
    }
    assert set(statuses(demo, "kor.liaison")) == {"Crisis on the Korean Peninsula"}


def test_a_noforn_meeting_never_makes_a_pair_look_covered_to_the_partner(demo):
    """India's pair is covered by a NOFORN meeting: covered for the U.S., never met for India."""
    assert statuses(demo, "us.planner")["Humanitarian evacuation in the Indian Ocean"] is (
        Status.COVERED
    )
    assert statuses(demo, "ind.liaison") == {
        "Humanitarian evacuation in the Indian Ocean": Status.NEVER_MET
    }


@pytest.mark.parametrize("hidden", ["Kenji Sato", "Taylor Brooks"])
def test_a_hidden_participation_in_a_visible_contact_does_not_count(demo, hidden):
    """The contact is releasable to Japan but one participant's presence is NOFORN (either
    side of the pair: the derived rows keep both participations' markings)."""
    with system_access("test: hide one participant"):
        jun = Official.objects.get(name="Jun Liaison")
        taylor = Official.objects.get(name="Taylor Brooks")
        kenji = Official.objects.get(name="Kenji Sato")
        contact = Contact(
            kind="meeting",
            title="Ops sync",
            starts=date.today() - timedelta(days=5),
            setting="Tokyo",
            marking=jun.marking,
        )
        contact.save()
        noforn = StoredMarking.objects.intern("SECRET//NOFORN")
        for person in (taylor, kenji):
            marking = noforn if person.name == hidden else jun.marking
            Participation(contact=contact, official=person, marking=marking).save()
    assert statuses(demo, "us.planner")["Defence of the southwestern islands"] is Status.COVERED
    assert statuses(demo, "jpn.liaison")["Defence of the southwestern islands"] is (
        Status.NEVER_MET
    )


def test_a_hidden_official_leaves_the_billet_without_a_visible_holder(demo):
    with system_access("test: hide an official"):
        Official.objects.filter(name="Kenji Sato").update(
            marking=StoredMarking.objects.intern("SECRET//NOFORN")
        )
    assert statuses(demo, "jpn.liaison")["Defence of the southwestern islands"] is Status.VACANT


def test_gaps_by_partner_count_only_visible_pairs(demo):
    with system_access("test: a NOFORN pair"):
        pair = CrisisPair.objects.get(scenario__startswith="Defence of the southwestern")
        pair.marking = StoredMarking.objects.intern("SECRET//NOFORN")
        pair.save()
    us = {s.partner: s for s in ties.compute(viewer(demo, "us.planner")).summaries}
    jp = {s.partner: s for s in ties.compute(viewer(demo, "jpn.liaison")).summaries}
    assert us["JPN"].total == 2 and len(us["JPN"].gaps) == 1
    assert jp["JPN"].total == 1 and jp["JPN"].gaps == []


def test_rotation_breaks_the_japan_pair_with_an_overlap_and_the_korea_pair_with_a_gap(demo):
    data, found = ties.risks(viewer(demo, "us.planner"))
    data.load_all()
    by = {data.pairs[r.pair.key].scenario.split(" (")[0]: r for r in found}
    assert set(by) == {"Maritime crisis in the East China Sea", "Crisis on the Korean Peninsula"}
    japan = by["Maritime crisis in the East China Sea"]
    assert data.officials[japan.new_us].name == "Robin Castell"
    assert japan.handovers[0].overlap == (
        date.today() + timedelta(days=30),
        date.today() + timedelta(days=45),
    )
    assert by["Crisis on the Korean Peninsula"].handovers[0].gap_days == 4
    _, for_korea = ties.risks(viewer(demo, "kor.liaison"))
    assert len(for_korea) == 1


def test_language_coverage_counts_us_officials_working_with_each_partner(demo):
    entries = {e.partner: e for e in ties.languages(viewer(demo, "us.planner")).entries}
    assert entries["JPN"].officials == 2  # Parker and Taylor hold Japan billets today
    assert entries["JPN"].by_level[3] == 1 and entries["JPN"].by_level[2] == 1
    assert entries["KOR"].by_level[4] == 1
    jp = ties.languages(viewer(demo, "jpn.liaison")).entries
    assert [e.partner for e in jp] == ["JPN"]


def test_the_network_names_the_american_who_alone_links_korea(demo):
    result = ties.network(viewer(demo, "us.planner"))
    names = {pk: o.name for pk, o in result.officials.items()}
    assert [names[p] for p in result.measures.cut_off_by["KOR"]] == ["Dana Reyes"]
    korean = ties.network(viewer(demo, "kor.liaison"))
    assert {o.nation_id for o in korean.officials.values()} <= {"USA", "KOR"}
    # The NOFORN meeting of the Indian pair is not in anyone's network abroad.
    indian = ties.network(viewer(demo, "ind.liaison"))
    assert indian.measures.ties == 0


def test_pair_rows_follow_contacts_when_they_change(demo):
    """The derived rows move with the contact's date and marking and vanish with a participant."""
    from allied.people.models import PairContact

    with system_access("test: edit a contact"):
        contact = Contact.objects.get(title__startswith="Bilateral planning talks")
        assert PairContact.objects.filter(contact=contact).count() == 3  # three participants
        contact.starts = date.today() - timedelta(days=1000)
        contact.marking = StoredMarking.objects.intern("SECRET//NOFORN")
        contact.save()
        rows = PairContact.objects.filter(contact=contact)
        assert {r.day for r in rows} == {contact.starts}
        assert {r.marking_id for r in rows} == {contact.marking_id}
        Participation.objects.filter(
            contact=contact, official__name="Morgan Ellis"
        ).first().delete()
        assert PairContact.objects.filter(contact=contact).count() == 1
    # Japan now counts only the trilateral exchange; the United States counts both contacts.
    for username, count in (("jpn.liaison", 1), ("us.planner", 2)):
        data = ties.compute(viewer(demo, username), partner="JPN")
        data.load_all()
        [result] = [r for r in data.results if data.pairs[r.pair.key].scenario.startswith("Mari")]
        assert (result.status, result.met.count, result.days_since) == (Status.COVERED, count, 300)

"""The host pages at work: the create form (with extra time slots, without JavaScript), the
attendee list and its CSV export, check-in, and query counts that don't grow with rows."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groundswell.accounts.testing import make_member
from groundswell.events.hosting.services.approval import host_trust_grant
from groundswell.events.hosting.services.cohosts import event_cohost_add
from groundswell.events.models import Attendance, Event, EventCoHost, Shift
from groundswell.events.testing import (
    event_form_data,
    first_shift,
    host_event,
    make_person,
    next_week_local,
    rsvp,
)
from groundswell.people.models import PhoneNumber

pytestmark = pytest.mark.django_db


# --- create and edit ----------------------------------------------------------------------


def test_create_with_a_second_time_slot(member_client, member):
    response = member_client.post(
        "/events/new/",
        event_form_data(
            **{"form-0-start_time": "13:00", "form-0-end_time": "15:00", "form-0-capacity": "4"}
        ),
    )
    event = Event.objects.get(title="Saturday canvass")
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.pk}/manage/"
    assert event.status == Event.Status.PENDING
    assert list(Shift.objects.filter(event=event).values_list("capacity", flat=True)) == [12, 4]
    page = member_client.get(response["Location"])
    assert "waiting for an organizer" in page.content.decode()


def test_add_another_time_slot_works_without_javascript(member_client):
    data = event_form_data(
        add_shift="1", **{"form-0-start_time": "13:00", "form-0-end_time": "15:00"}
    )
    response = member_client.post("/events/new/", data)
    assert response.status_code == 200
    assert not Event.objects.exists()
    html = response.content.decode()
    assert 'name="form-TOTAL_FORMS" value="2"' in html
    assert 'name="form-1-start_time"' in html
    assert 'value="13:00"' in html  # the typed slot is kept
    assert 'value="Saturday canvass"' in html
    assert "errorlist" not in html


def test_service_errors_show_at_their_fields(member_client):
    response = member_client.post(
        "/events/new/", event_form_data(postal_code="00000", start_time="12:00", end_time="11:00")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "We don&#x27;t know the ZIP code “00000”" in html
    assert "The event must end after it starts." in html
    assert 'aria-invalid="true"' in html
    assert not Event.objects.exists()


def test_a_trusted_host_is_published_and_told_so(member_client, member, organizer):
    host_trust_grant(user=member, actor=organizer)
    response = member_client.post("/events/new/", event_form_data(), follow=True)
    assert "Your event is published." in response.content.decode()


def test_the_campaign_link_prefills_the_form(member_client):
    from groundswell.events.models import EventCampaign

    EventCampaign.objects.create(
        name="Weekend of Action",
        slug="woa",
        event_type="phone_bank",
        template_title="Weekend of Action phone bank",
        template_description="Call voters in swing states.",
    )
    html = member_client.get("/events/new/?campaign=woa").content.decode()
    assert 'value="Weekend of Action phone bank"' in html
    assert "Call voters in swing states." in html
    assert '<option value="phone_bank" selected>' in html


def test_the_edit_form_shows_every_time_slot(member_client, member):
    event = host_event(
        member,
        shifts=[
            (next_week_local(9), next_week_local(11), 5),
            (next_week_local(13), next_week_local(15), 6),
        ],
    )
    html = member_client.get(f"/events/{event.pk}/edit/").content.decode()
    second = Shift.objects.filter(event=event).order_by("starts_at")[1]
    assert f'name="form-0-shift_id" value="{second.pk}"' in html
    assert 'name="form-0-start_time" value="13:00"' in html
    assert f'name="first_shift_id" value="{first_shift(event).pk}"' in html


# --- the attendee list and CSV ------------------------------------------------------------


def _fill(event, count, *, start=0):
    for index in range(start, start + count):
        person = make_person(f"p{index}@example.org", f"Given{index}", f"Family{index}")
        PhoneNumber.objects.create(person=person, number=f"+1202555{index:04d}", primary=True)
        rsvp(event, person)


def test_the_manage_page_lists_contacts_for_hosts(member_client, member, organizer):
    event = host_event(member, publish_as=organizer, capacity=2)
    _fill(event, 3)
    html = member_client.get(f"/events/{event.pk}/manage/").content.decode()
    assert "p0@example.org" in html and "+12025550000" in html
    assert "On the waitlist" in html
    waitlist = member_client.get(f"/events/{event.pk}/manage/?status=waitlisted").content.decode()
    assert "p2@example.org" in waitlist and "p0@example.org" not in waitlist


def test_the_manage_page_s_queries_do_not_grow_with_attendees(member_client, member, organizer):
    event = host_event(member, publish_as=organizer)
    EventCoHost.objects.create(event=event, user=make_member("co@example.org"))
    _fill(event, 2)
    url = f"/events/{event.pk}/manage/"
    member_client.get(url)
    with CaptureQueriesContext(connection) as few:
        member_client.get(url)
    _fill(event, 25, start=2)
    with CaptureQueriesContext(connection) as many:
        member_client.get(url)
    assert len(few) == len(many)
    assert len(many) <= 12


def test_csv_export_is_safe_and_complete(member_client, member, organizer):
    event = host_event(member, publish_as=organizer, title='Evil "title"\r\nX-Header: 1')
    rsvp(event, make_person("ana@example.org", '=HYPERLINK("http://x")', "@Smith"))
    rsvp(event, make_person("ben@example.org", "Ben", "+Plus"))
    response = member_client.get(f"/events/{event.pk}/attendees.csv")
    assert response.status_code == 200
    assert Event.objects.get(pk=event.pk).title == 'Evil "title" X-Header: 1'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert (
        disposition
        == f'attachment; filename="event-{event.pk}-evil-title-x-header-1-attendees.csv"'
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:5] == ["Time slot", "Status", "First name", "Last name", "Email"]
    by_email = {row[4]: row for row in rows[1:]}
    assert by_email["ana@example.org"][2] == '\'=HYPERLINK("http://x")'
    assert by_email["ana@example.org"][3] == "'@Smith"
    assert by_email["ben@example.org"][3] == "'+Plus"
    assert by_email["ben@example.org"][1] == "Going"
    assert by_email["ben@example.org"][0].endswith(("EST", "EDT"))
    from groundswell.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="event.attendees_export", actor=member).exists()


def test_a_failed_message_shows_its_error_on_the_page(member_client, member, organizer):
    event = host_event(member, publish_as=organizer)
    response = member_client.post(
        f"/events/{event.pk}/message/", {"message-subject": "Hi", "message-body": "Hello"}
    )
    assert response.status_code == 400
    assert "nobody to message" in response.content.decode()


def test_co_host_errors_show_on_the_page(member_client, member, organizer):
    event = host_event(member, publish_as=organizer)
    response = member_client.post(
        f"/events/{event.pk}/cohosts/", {"cohost-email": "nobody@example.org"}
    )
    assert response.status_code == 400
    assert "No member has this email address" in response.content.decode()


def test_a_co_host_who_steps_down_goes_to_their_events(client, member, organizer):
    event = host_event(member, publish_as=organizer)
    cohost = make_member("co@example.org")
    event_cohost_add(event=event, email="co@example.org", actor=member)
    client.force_login(cohost)
    response = client.post(f"/events/{event.pk}/cohosts/{cohost.pk}/remove/")
    assert response["Location"] == "/events/hosting/"
    assert client.get(f"/events/{event.pk}/manage/").status_code == 404


# --- check-in ---------------------------------------------------------------------------------


def test_check_in_with_htmx_returns_the_row(member_client, member, organizer):
    event = host_event(member, publish_as=organizer)
    attendance = rsvp(event, make_person("ana@example.org", "Ana", "Alvarez"))
    page = member_client.get(f"/events/{event.pk}/check-in/").content.decode()
    assert f'hx-post="/events/{event.pk}/check-in/{attendance.pk}/"' in page
    response = member_client.post(
        f"/events/{event.pk}/check-in/{attendance.pk}/", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(
        f'<li class="host-checkin-row" id="attendance-{attendance.pk}">'
    )
    assert "Checked in" in html and "<form" not in html
    assert Attendance.objects.get(pk=attendance.pk).attended is True


def test_check_in_without_javascript_redirects_back(member_client, member, organizer):
    event = host_event(member, publish_as=organizer)
    attendance = rsvp(event, make_person("ana@example.org", "Ana"))
    response = member_client.post(
        f"/events/{event.pk}/check-in/{attendance.pk}/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/events/{event.pk}/check-in/"


def test_an_attendance_of_another_event_is_404(member_client, member, organizer):
    event = host_event(member, publish_as=organizer)
    other = host_event(organizer, title="Other")
    theirs = rsvp(other, make_person("ana@example.org"))
    response = member_client.post(f"/events/{event.pk}/check-in/{theirs.pk}/")
    assert response.status_code == 404
    assert Attendance.objects.get(pk=theirs.pk).attended is None


def test_check_in_search_and_walk_in(member_client, member, organizer):
    event = host_event(member, publish_as=organizer)
    rsvp(event, make_person("ana@example.org", "Ana", "Alvarez"))
    rsvp(event, make_person("ben@example.org", "Ben", "Brown"))
    html = member_client.get(f"/events/{event.pk}/check-in/?q=alv").content.decode()
    assert "Ana" in html and "Ben" not in html
    bad = member_client.post(f"/events/{event.pk}/walk-in/", {"walkin-given_name": "Walt"})
    assert bad.status_code == 400
    good = member_client.post(
        f"/events/{event.pk}/walk-in/",
        {"walkin-given_name": "Walt", "walkin-email": "walt@example.org"},
    )
    assert good.status_code == 302
    assert Attendance.objects.get(person__email="walt@example.org").attended is True


def test_the_check_in_page_s_queries_do_not_grow(member_client, member, organizer):
    event = host_event(member, publish_as=organizer)
    _fill(event, 2)
    url = f"/events/{event.pk}/check-in/"
    member_client.get(url)
    with CaptureQueriesContext(connection) as few:
        member_client.get(url)
    _fill(event, 20, start=2)
    with CaptureQueriesContext(connection) as many:
        member_client.get(url)
    assert len(few) == len(many) <= 8


# --- lists ------------------------------------------------------------------------------------


def test_events_i_host_lists_hosted_and_co_hosted_events(
    member_client, member, organizer, django_assert_max_num_queries
):
    mine = host_event(member, title="Mine")
    theirs = host_event(organizer, title="Theirs")
    EventCoHost.objects.create(event=theirs, user=member)
    host_event(organizer, title="Not mine")
    for index in range(8):
        host_event(member, title=f"More {index}")
    with django_assert_max_num_queries(5):
        html = member_client.get("/events/hosting/").content.decode()
    assert "Mine" in html and "Theirs" in html and "Not mine" not in html
    assert "Co-host" in html
    assert f"/events/{mine.pk}/manage/" in html
    past = member_client.get("/events/hosting/?when=past").content.decode()
    assert "No past events yet." in past


def test_the_approval_queue_lists_waiting_events_in_fixed_queries(client, member, organizer):
    client.force_login(organizer)
    host_event(member, title="Waiting one")
    with CaptureQueriesContext(connection) as few:
        html = client.get("/events/approvals/").content.decode()
    assert "Waiting one" in html and "member@example.org" in html
    for index in range(10):
        host = make_member(f"host{index}@example.org", given_name=f"Host{index}")
        host_event(host, title=f"Waiting {index}")
    with CaptureQueriesContext(connection) as many:
        client.get("/events/approvals/")
    assert len(few) == len(many) <= 5
    empty_member = make_member("e@example.org", staff_role="hq")
    client.force_login(empty_member)
    Event.objects.update(status=Event.Status.PUBLISHED)
    assert "Nothing is waiting" in client.get("/events/approvals/").content.decode()


def test_approve_with_trust_from_the_queue(client, member, organizer):
    event = host_event(member)
    client.force_login(organizer)
    response = client.post(
        f"/events/{event.pk}/review/", {"decision": "approve", "trust_host": "on"}, follow=True
    )
    assert "is published" in response.content.decode()
    assert host_event(member, title="Next").status == Event.Status.PUBLISHED


def test_rejecting_without_a_note_says_why(client, member, organizer):
    event = host_event(member)
    client.force_login(organizer)
    response = client.post(f"/events/{event.pk}/review/", {"decision": "reject"}, follow=True)
    assert "Tell the host why" in response.content.decode()
    event.refresh_from_db()
    assert event.status == Event.Status.PENDING


def test_staff_see_the_waiting_count_on_their_hosting_page(client, member, organizer):
    host_event(member)
    host_event(member, title="Another")
    client.force_login(organizer)
    assert "2 events waiting for approval" in client.get("/events/hosting/").content.decode()
    client.force_login(member)
    assert "waiting for approval" not in client.get("/events/hosting/").content.decode()


def test_a_co_host_outside_the_group_edits_and_the_group_stays(client, member, organizer):
    from groundswell.groups.models import Group, GroupMembership

    group = Group.objects.create(name="Chelsea for Change", postal_code="10001")
    GroupMembership.objects.create(group=group, user=member, role="leader")
    event = host_event(member, publish_as=organizer, group=group)
    cohost = make_member("co@example.org")
    EventCoHost.objects.create(event=event, user=cohost)
    client.force_login(cohost)
    html = client.get(f"/events/{event.pk}/edit/").content.decode()
    assert f'<option value="{group.pk}" selected>Chelsea for Change</option>' in html
    data = event_form_data(
        title="Chelsea canvass, round 2",
        group=str(group.pk),
        first_shift_id=str(first_shift(event).pk),
        **{"form-TOTAL_FORMS": "0"},
    )
    response = client.post(f"/events/{event.pk}/edit/", data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.group) == ("Chelsea canvass, round 2", group)


def _edit_form_values(client, event) -> dict[str, str]:
    """What the edit form holds now, as a browser would post it back unchanged."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values: dict[str, str] = {}
            self._select = self._textarea = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox"):
                self.values[name] = attrs.get("value") or ""
            elif tag == "input" and name and "checked" in attrs:
                self.values[name] = attrs.get("value") or "on"
            elif tag == "select" and name:
                self._select = name
            elif tag == "option" and self._select and "selected" in attrs:
                self.values[self._select] = attrs.get("value") or ""
            elif tag == "textarea" and name:
                self._textarea = name
                self.values[name] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self._select = None
            if tag == "textarea":
                self._textarea = None

        def handle_data(self, data):
            if self._textarea:
                self.values[self._textarea] += data

    parser = Fields()
    parser.feed(client.get(f"/events/{event.pk}/edit/").content.decode())
    parser.values.pop("add_shift", None)
    return parser.values


@pytest.mark.parametrize(
    ("change", "with_attendee", "told"),
    [
        ({"title": "Chelsea canvass, new name"}, True, True),
        ({"description": "Bring water."}, True, False),  # description alone mails nobody
        ({"title": "Chelsea canvass, new name"}, False, False),  # nobody to tell
    ],
)
def test_the_saved_message_says_when_attendees_are_emailed(
    member_client, member, organizer, change, with_attendee, told
):
    event = host_event(member, publish_as=organizer)
    if with_attendee:
        rsvp(event, make_person("ana@example.org"))
    data = _edit_form_values(member_client, event)
    data.update(change)
    response = member_client.post(f"/events/{event.pk}/edit/", data, follow=True)
    page = response.content.decode()
    assert "Your changes are saved." in page
    assert ("Everyone who RSVPed will get an email" in page) is told


def test_a_day_years_ahead_is_refused_by_the_form_not_a_500(member_client):
    response = member_client.post("/events/new/", event_form_data(date="9999-12-30"))
    assert response.status_code == 400  # the form again, with its errors
    assert "This is too far ahead: events can start until" in response.content.decode()
    assert not Event.objects.exists()

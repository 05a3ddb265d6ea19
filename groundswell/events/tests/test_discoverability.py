"""Features members can reach from the pages (issue 4 gaps): the header's "My activity" links,
the event form prefilled from a group page (`?group=`), the public list of current campaigns
linked from the finder, the campaign page's profile-ZIP fallback, and the co-host text."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundswell.accounts.models import Profile
from groundswell.accounts.testing import make_member
from groundswell.events.campaigns.services import event_campaign_create, event_campaign_update
from groundswell.events.testing import host_event, make_cohost, next_week_local
from groundswell.groups.services import group_archive, group_create, group_join

pytestmark = pytest.mark.django_db


def _client(user=None, *, language: str = "") -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


# --- the header: "My activity" --------------------------------------------------------------


def test_members_reach_their_groups_and_hosted_events_from_the_header(member):
    page = _text(_client(member).get("/events/"))
    assert "<summary>My activity</summary>" in page
    assert '<a href="/groups/mine/">My groups</a>' in page
    assert '<a href="/events/hosting/">Events I host</a>' in page
    # The links lead to working pages.
    assert "Events I host" in _text(_client(member).get("/events/hosting/"))
    assert _client(member).get("/groups/mine/").status_code == 200


def test_anonymous_visitors_get_no_member_menu():
    page = _text(_client().get("/events/"))
    assert "My activity" not in page
    assert "/groups/mine/" not in page
    assert "/events/hosting/" not in page


def test_the_member_menu_in_french(member):
    page = _text(_client(member, language="fr").get("/events/"))
    assert "<summary>Mon activité</summary>" in page
    assert '<a href="/groups/mine/">Mes groupes</a>' in page
    assert '<a href="/events/hosting/">Les événements que j\u2019organise</a>' in page
    assert "My activity" not in page


def test_the_member_menu_needs_no_inline_script(member):
    page = _client(member).get("/events/").content.decode()
    start = page.index('<header class="site-header">')
    header = page[start : page.index("</header>", start)]
    assert "<details>" in header and "<script" not in header and "onclick" not in header


# --- /events/new/?group=<id> ------------------------------------------------------------------


@pytest.fixture
def led_group(member):
    """A group `member` leads (creating it makes them its leader)."""
    return group_create(
        creator=member, name="Chelsea for Change", focus="neighborhood", postal_code="10001"
    )


def _group_initial(client: Client, query: str):
    response = client.get(f"/events/new/{query}")
    assert response.status_code == 200
    return response.context["form"].initial.get("group"), response.content.decode()


def test_a_member_of_the_group_gets_it_prefilled(led_group, other_member):
    group_join(group=led_group, user=other_member)
    initial, page = _group_initial(_client(other_member), f"?group={led_group.pk}")
    assert initial == led_group.pk
    assert f'<option value="{led_group.pk}" selected>Chelsea for Change</option>' in page


def test_a_group_the_member_is_not_in_is_ignored(led_group, other_member):
    initial, page = _group_initial(_client(other_member), f"?group={led_group.pk}")
    assert initial is None
    assert "Chelsea for Change" not in page  # not offered either


def test_staff_outside_the_group_are_not_prefilled_either(led_group, organizer):
    # The form offers a host only the groups they belong to, staff included.
    initial, _page = _group_initial(_client(organizer), f"?group={led_group.pk}")
    assert initial is None


def test_an_archived_group_is_ignored(led_group, member):
    group_archive(group=led_group, actor=member)
    initial, _page = _group_initial(_client(member), f"?group={led_group.pk}")
    assert initial is None


@pytest.mark.parametrize("value", ["999999", "abc", "", "-1", "1.5", "9" * 30])
def test_an_unknown_or_malformed_group_is_ignored(led_group, member, value):
    initial, _page = _group_initial(_client(member), f"?group={value}")
    assert initial is None


def test_group_and_campaign_prefill_together(led_group, member, organizer):
    event_campaign_create(actor=organizer, name="Weekend of Action", event_type="canvass")
    response = _client(member).get(f"/events/new/?campaign=weekend-of-action&group={led_group.pk}")
    initial = response.context["form"].initial
    assert (initial["group"], initial["title"], initial["event_type"]) == (
        led_group.pk,
        "Weekend of Action",
        "canvass",
    )


def test_anonymous_visitors_are_sent_to_log_in_first(led_group):
    response = _client().get(f"/events/new/?group={led_group.pk}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_prefilled_form_creates_the_event_in_the_group(led_group, member):
    client = _client(member)
    client.get(f"/events/new/?group={led_group.pk}")
    day = next_week_local(10).date().isoformat()
    response = client.post(
        f"/events/new/?group={led_group.pk}",
        {
            "event_type": "canvass",
            "title": "Group canvass",
            "date": day,
            "start_time": "10:00",
            "end_time": "12:00",
            "postal_code": "10001",
            "group": str(led_group.pk),
            "form-TOTAL_FORMS": "0",
            "form-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert led_group.events.get().title == "Group canvass"


# --- campaigns: the public list ---------------------------------------------------------------


@pytest.fixture
def campaigns(organizer):
    """One campaign per case: current (no dates), coming, ending today, over, closed."""
    today = timezone.localdate()
    made = {
        "current": event_campaign_create(actor=organizer, name="Weekend of Action"),
        "coming": event_campaign_create(
            actor=organizer,
            name="Spring Push",
            starts_on=today + timedelta(days=30),
            ends_on=today + timedelta(days=31),
        ),
        "ending": event_campaign_create(
            actor=organizer,
            name="Last Day Drive",
            starts_on=today - timedelta(days=2),
            ends_on=today,
        ),
        "over": event_campaign_create(
            actor=organizer,
            name="Old Blitz",
            starts_on=today - timedelta(days=10),
            ends_on=today - timedelta(days=1),
        ),
        "closed": event_campaign_create(actor=organizer, name="Closed Drive"),
    }
    event_campaign_update(campaign=made["closed"], actor=organizer, archived=True)
    return made


# Each campaign's page link (its name also shows in the page's introduction).
PUBLIC = tuple(
    f'href="/events/campaigns/{slug}/"'
    for slug in ("weekend-of-action", "spring-push", "last-day-drive")
)
HIDDEN = tuple(f'href="/events/campaigns/{slug}/"' for slug in ("old-blitz", "closed-drive"))


@pytest.mark.parametrize("persona", ["anonymous", "member", "other_member"])
def test_everyone_sees_the_current_campaigns_without_totals(campaigns, persona, request):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    page = _text(_client(user).get("/events/campaigns/"))
    for link in PUBLIC:
        assert link in page
    for link in HIDDEN:
        assert link not in page
    assert "Old Blitz" not in page and "Closed Drive" not in page
    assert "RSVPs" not in page and "Waiting for approval" not in page
    assert "New campaign" not in page
    assert "/events/new/?campaign=weekend-of-action" in page
    # The ones with dates come in the order they start, the undated one last.
    order = [page.index(link) for link in (PUBLIC[2], PUBLIC[1], PUBLIC[0])]
    assert order == sorted(order)


@pytest.mark.parametrize("persona", ["organizer", "hq"])
def test_staff_see_every_campaign_with_totals(campaigns, persona, request):
    page = _text(_client(request.getfixturevalue(persona)).get("/events/campaigns/"))
    for link in PUBLIC + HIDDEN:
        assert link in page
    assert "RSVPs" in page and "Waiting for approval" in page and "New campaign" in page


def test_the_public_list_in_french(campaigns):
    page = _text(_client(language="fr").get("/events/campaigns/"))
    assert "<h1>Campagnes</h1>" in page
    assert "Organiser un événement pour Weekend of Action" in page


def test_no_current_campaign(organizer):
    page = _text(_client().get("/events/campaigns/"))
    assert "No campaigns right now." in page
    assert 'href="/events/"' in page


@pytest.mark.parametrize("persona", ["anonymous", "member"])
def test_the_public_list_takes_a_fixed_number_of_queries(organizer, persona, request):
    client = _client(None if persona == "anonymous" else request.getfixturevalue(persona))
    event_campaign_create(actor=organizer, name="Campaign A")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/events/campaigns/").status_code == 200
    for index in range(12):
        event_campaign_create(actor=organizer, name=f"Campaign B{index}")
    with CaptureQueriesContext(connection) as many:
        page = _text(client.get("/events/campaigns/"))
    assert "Campaign B11" in page
    assert len(few) == len(many)
    # A COUNT and the page; a member adds the session and the user.
    assert len(many) == (2 if persona == "anonymous" else 4)


def test_the_finder_links_to_the_campaigns():
    page = _text(_client().get("/events/"))
    assert '<a href="/events/campaigns/">Campaigns: join a national day of action' in page
    french = _text(_client(language="fr").get("/events/"))
    assert "Campagnes\u00a0: participez à une journée nationale d\u2019action" in french


def test_the_campaign_page_links_back_to_the_list(campaigns):
    page = _text(_client().get("/events/campaigns/weekend-of-action/"))
    assert '<a href="/events/campaigns/">All campaigns</a>' in page


# --- campaigns: the profile ZIP as the default place ------------------------------------------


@pytest.fixture
def spread(organizer):
    """A campaign with events in Los Angeles (soonest), Newark, then Manhattan (latest)."""
    campaign = event_campaign_create(actor=organizer, name="Weekend of Action")
    for title, code, days in (
        ("In Los Angeles", "90012", 3),
        ("In Newark", "07102", 5),
        ("In Manhattan", "10001", 7),
    ):
        host_event(
            organizer,
            campaign=campaign,
            title=title,
            postal_code=code,
            starts_at_local=next_week_local(10, days=days),
            ends_at_local=next_week_local(12, days=days),
        )
    return campaign


URL = "/events/campaigns/weekend-of-action/"
PROFILE_NOTE = "Showing events near the ZIP code in your profile."


def _order(page: str, titles: tuple[str, ...]) -> list[int]:
    return [page.index(title) for title in titles]


def _by_date(page: str) -> bool:
    order = _order(page, ("In Los Angeles", "In Newark", "In Manhattan"))
    return order == sorted(order)


def test_a_member_with_a_profile_zip_sees_the_nearest_first(spread):
    near_manhattan = make_member("near@example.org", postal_code="10001")
    page = _text(_client(near_manhattan).get(URL))
    order = _order(page, ("In Manhattan", "In Newark"))
    assert order == sorted(order)
    assert "In Los Angeles" not in page  # beyond the 500-mile search
    assert PROFILE_NOTE in page
    assert 'value="10001"' in page  # the ZIP box shows the place used


def test_anonymous_visitors_see_the_campaign_by_date(spread):
    page = _text(_client().get(URL))
    assert _by_date(page)
    assert PROFILE_NOTE not in page


def test_a_member_without_a_profile_zip_sees_it_by_date(spread, member):
    page = _text(_client(member).get(URL))
    assert _by_date(page)
    assert PROFILE_NOTE not in page


def test_the_zip_in_the_address_wins_over_the_profile(spread):
    near_manhattan = make_member("near@example.org", postal_code="10001")
    page = _text(_client(near_manhattan).get(URL + "?near=90012"))
    assert "In Los Angeles" in page and "In Manhattan" not in page  # 500 miles around LA
    assert PROFILE_NOTE not in page
    everywhere = _text(_client(near_manhattan).get(URL + "?near="))
    assert _by_date(everywhere)  # an empty ZIP searches everywhere, by date
    assert PROFILE_NOTE not in everywhere


@pytest.mark.parametrize("code", ["00000", "SW1A 1AA-12345"])  # unknown; too long for the box
def test_an_unknown_profile_zip_is_no_error(spread, member, code):
    Profile.objects.filter(user=member).update(postal_code=code)
    page = _text(_client(member).get(URL))  # 200, not the 400 of a mistyped ZIP
    assert _by_date(page)
    assert "We don't know the ZIP code" not in page
    assert PROFILE_NOTE not in page


def test_the_profile_fallback_in_french(spread):
    near_manhattan = make_member("near@example.org", postal_code="10001")
    page = _text(_client(near_manhattan, language="fr").get(URL))
    assert "Événements proches du code postal de votre profil." in page


# --- the host's page: what co-hosts may do ----------------------------------------------------


def test_the_manage_page_says_what_co_hosts_can_do(member, organizer):
    event = host_event(member, publish_as=organizer)
    page = _text(_client(member).get(f"/events/{event.pk}/manage/"))
    assert "edit or cancel the event, and add or remove co-hosts" in page
    assert "No co-hosts yet." in page
    cohost = make_cohost()
    _client(member).post(f"/events/{event.pk}/cohosts/", {"cohost-email": cohost.email})
    with_cohost = _text(_client(cohost).get(f"/events/{event.pk}/manage/"))
    assert "edit or cancel the event, and add or remove co-hosts" in with_cohost
    assert "No co-hosts yet." not in with_cohost
    french = _text(_client(member, language="fr").get(f"/events/{event.pk}/manage/"))
    assert "modifier ou annuler l\u2019événement, et ajouter ou retirer des co-hôtes" in french

"""Member pages: an authorization matrix per endpoint, then behaviour."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from groundswell.accounts.models import Profile, User
from groundswell.accounts.policies import profile_visible_to, profiles_visible_to
from groundswell.accounts.services import account_delete, profile_photo_set
from groundswell.accounts.testing import PASSWORD, image_bytes, upload
from groundswell.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "owner", "other_member", "organizer", "hq")


@pytest.fixture
def as_persona(client, request):
    """Log the client in as a persona (the owner is the `member` fixture)."""

    def login(persona: str):
        if persona == "anonymous":
            return None
        fixture = {"owner": "member"}.get(persona, persona)
        user = request.getfixturevalue(fixture)
        client.force_login(user)
        return user

    return login


def _set_privacy(user: User, privacy: str) -> None:
    Profile.objects.filter(user=user).update(privacy=privacy)


# --- Profile page -------------------------------------------------------------------------

PROFILE_MATRIX = {
    # privacy: personas that see it; everyone else gets the 404 a missing member gets.
    "public": {"anonymous", "owner", "other_member", "organizer", "hq"},
    "members": {"owner", "other_member", "organizer", "hq"},
    "private": {"owner", "organizer", "hq"},
}


@pytest.mark.parametrize("privacy", list(PROFILE_MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_profile_page_authorization(client, member, as_persona, privacy, persona):
    _set_privacy(member, privacy)
    viewer = as_persona(persona)
    response = client.get(reverse("member_profile", args=[member.pk]))
    allowed = persona in PROFILE_MATRIX[privacy]
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert b"Maya M." in response.content
    else:
        assert b"Maya" not in response.content
    # The policy's point check and its queryset agree.
    profile = Profile.objects.select_related("user").get(user=member)
    from django.contrib.auth.models import AnonymousUser

    viewer = viewer or AnonymousUser()
    assert profile_visible_to(viewer, profile) is allowed
    assert profiles_visible_to(viewer).filter(pk=profile.pk).exists() is allowed


@pytest.mark.parametrize("user_id", [987654, 2**70])
def test_missing_member_is_the_same_404(member_client, user_id):
    response = member_client.get(f"/members/{user_id}/")
    assert response.status_code == 404


def test_deactivated_member_is_hidden_except_from_staff(client, member, other_member, organizer):
    _set_privacy(member, "public")
    User.objects.filter(pk=member.pk).update(is_active=False)
    url = reverse("member_profile", args=[member.pk])
    assert client.get(url).status_code == 404
    client.force_login(other_member)
    assert client.get(url).status_code == 404
    client.force_login(organizer)
    assert client.get(url).status_code == 200


def test_profile_page_shows_place_not_postal_code_or_email(
    client, member, postal_codes, django_capture_on_commit_callbacks
):
    Profile.objects.filter(user=member).update(
        privacy="public",
        postal_code="10001",
        bio="I <b>knock</b> doors\nevery weekend",
        interests=["canvassing"],
        languages=["es"],
    )
    profile_photo_set(user=member, upload=upload(image_bytes()))
    member.person.address_line = "350 Fifth Avenue"
    member.person.save()
    response = client.get(reverse("member_profile", args=[member.pk]))
    html = response.content.decode()
    assert "New York, NY" in html
    assert "10001" not in html
    assert "350 Fifth" not in html
    assert "member@example.org" not in html
    assert "I &lt;b&gt;knock&lt;/b&gt; doors<br>every weekend" in html
    assert "Door-to-door canvassing" in html and "Spanish" in html
    assert 'alt="Photo of Maya M."' in html
    assert "Member since" in html
    assert "Edit profile</a>" not in html.split("<main", 1)[1]


def test_owner_sees_edit_link_and_visibility(member_client, member):
    _set_privacy(member, "private")
    response = member_client.get(reverse("member_profile", args=[member.pk]))
    html = response.content.decode().split("<main", 1)[1]
    assert reverse("profile_edit") in html
    assert "Only you and campaign staff can see your profile." in html


def test_profile_page_query_count(
    client, member, organizer, postal_codes, django_assert_num_queries
):
    Profile.objects.filter(user=member).update(postal_code="10001", privacy="members")
    client.force_login(organizer)
    url = reverse("member_profile", args=[member.pk])
    # session + the logged-in user + the profile with its user, person and place (subqueries)
    # + the staff nav's count of events waiting for approval.
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200
    client.logout()
    _set_privacy(member, "public")
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def test_my_profile_redirects_to_own_page(client, member_client, member):
    assert client.get(reverse("my_profile")).url == reverse("member_profile", args=[member.pk])


# --- Login-required pages -----------------------------------------------------------------

OWN_PAGES = ["profile_edit", "account_settings", "account_export", "account_delete"]


@pytest.mark.parametrize("name", OWN_PAGES)
def test_own_pages_send_anonymous_visitors_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", OWN_PAGES)
@pytest.mark.parametrize("persona", ["owner", "other_member", "organizer", "hq"])
def test_own_pages_show_each_signed_in_persona_only_their_own_account(
    client, as_persona, member, name, persona
):
    user = as_persona(persona)
    response = client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    if name in {"account_settings", "account_export"}:
        assert user.email in body
    if persona != "owner":
        assert "member@example.org" not in body
        assert "Maya" not in body


def test_anonymous_post_to_own_pages_changes_nothing(client, member):
    for name in ["profile_edit", "account_delete"]:
        response = client.post(reverse(name), {"password": PASSWORD, "confirm": "on", "bio": "x"})
        assert response.status_code == 302
    assert User.objects.filter(pk=member.pk).exists()
    member.profile.refresh_from_db()
    assert member.profile.bio == ""


def test_settings_shows_two_factor_link_only_to_staff(client, member, organizer):
    client.force_login(member)
    assert reverse("mfa_index") not in client.get(reverse("account_settings")).content.decode()
    client.force_login(organizer)
    html = client.get(reverse("account_settings")).content.decode()
    assert reverse("mfa_index") in html
    for name in ["account_email", "account_change_password", "account_export", "account_delete"]:
        assert reverse(name) in html


# --- Edit profile -------------------------------------------------------------------------


def _form(**overrides):
    data = {
        "given_name": "Maya",
        "family_name": "Member",
        "display_name": "",
        "bio": "",
        "postal_code": "10001",
        "country": "US",
        "time_zone": "America/New_York",
        "privacy": "members",
    }
    data.update(overrides)
    return data


def test_edit_page_renders_current_values_and_accessible_fields(member_client, member):
    html = member_client.get(reverse("profile_edit")).content.decode()
    assert 'value="Maya"' in html
    for field in ["id_display_name", "id_photo", "id_bio", "id_postal_code", "id_time_zone"]:
        assert f'for="{field}"' in html
    assert "<legend>Languages you speak</legend>" in html
    assert "Haitian Creole" in html
    assert html.index("America/Chicago") < html.index("Africa/Abidjan")


def test_edit_profile_saves_and_redirects(member_client, member, postal_codes):
    photo = upload(image_bytes("PNG", (300, 300)))
    response = member_client.post(
        reverse("profile_edit"),
        _form(
            family_name="Moreno",
            display_name="Maya from Chelsea",
            bio="Hi",
            interests=["hosting", "driving"],
            languages=["fr", "ht"],
            time_zone="Europe/Paris",
            privacy="public",
            photo=photo,
        ),
    )
    assert response.status_code == 302
    assert response.url == reverse("member_profile", args=[member.pk])
    profile = Profile.objects.select_related("user__person").get(user=member)
    assert profile.display_name == "Maya from Chelsea"
    assert profile.interests == ["hosting", "driving"]
    assert profile.languages == ["fr", "ht"]
    assert profile.time_zone == "Europe/Paris"
    assert profile.photo and profile.photo_thumbnail
    assert profile.user.person.family_name == "Moreno"


def test_edit_profile_unknown_postal_code_is_shown_on_the_field(
    member_client, member, postal_codes
):
    response = member_client.post(reverse("profile_edit"), _form(postal_code="00000", bio="new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_postal_code_error"' in html
    assert "know the postal code “00000”" in html
    assert 'aria-describedby="id_postal_code_helptext id_postal_code_error"' in html
    member.profile.refresh_from_db()
    assert member.profile.bio == ""


def test_edit_profile_refuses_a_non_image_without_saving_anything(
    member_client, member, postal_codes
):
    bad = upload(b"MZ\x90\x00 an executable", "photo.jpg", "image/jpeg")
    response = member_client.post(reverse("profile_edit"), _form(bio="new", photo=bad))
    assert response.status_code == 200
    assert 'id="id_photo_error"' in response.content.decode()
    member.profile.refresh_from_db()
    assert member.profile.bio == "" and not member.profile.photo


def test_edit_profile_refuses_unknown_time_zone(member_client, member, postal_codes):
    response = member_client.post(reverse("profile_edit"), _form(time_zone="Mars/Base"))
    assert 'id="id_time_zone_error"' in response.content.decode()


def test_edit_profile_remove_photo(member_client, member, postal_codes):
    profile_photo_set(user=member, upload=upload(image_bytes()))
    assert "Remove my photo" in member_client.get(reverse("profile_edit")).content.decode()
    response = member_client.post(reverse("profile_edit"), _form(remove_photo="on"))
    assert response.status_code == 302
    member.profile.refresh_from_db()
    assert not member.profile.photo


def test_other_member_posting_edits_only_their_own_profile(
    client, member, other_member, postal_codes
):
    client.force_login(other_member)
    client.post(reverse("profile_edit"), _form(bio="Otto's bio", given_name="Mallory"))
    member.profile.refresh_from_db()
    member.person.refresh_from_db()
    assert member.profile.bio == "" and member.person.given_name == "Maya"
    other_member.profile.refresh_from_db()
    assert other_member.profile.bio == "Otto's bio"


def test_edit_page_works_for_an_account_without_profile_or_person(client, postal_codes):
    user = User.objects.create_superuser("root@example.org", PASSWORD)
    Profile.objects.filter(user=user).delete()
    client.force_login(user)
    html = client.get(reverse("profile_edit")).content.decode()
    assert "id_given_name" not in html
    response = client.post(reverse("profile_edit"), _form(display_name="Root"))
    assert response.status_code == 302
    assert Profile.objects.get(user=user).display_name == "Root"


# --- Delete account -----------------------------------------------------------------------


def test_delete_page_explains_what_is_erased_and_kept(member_client):
    html = member_client.get(reverse("account_delete")).content.decode()
    assert "What we erase" in html and "What we keep" in html


@pytest.mark.parametrize(
    "data",
    [
        {"password": "wrong password", "confirm": "on"},
        {"password": PASSWORD},
        {},
    ],
)
def test_delete_requires_password_and_confirmation(member_client, member, data):
    response = member_client.post(reverse("account_delete"), data)
    assert response.status_code == 200
    assert User.objects.filter(pk=member.pk).exists()
    assert 'aria-invalid="true"' in response.content.decode()


def test_delete_erases_logs_out_and_says_so_on_the_home_page(client, member):
    client.force_login(member)
    response = client.post(
        reverse("account_delete"), {"password": PASSWORD, "confirm": "on"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account was deleted" in response.content.decode()
    assert not User.objects.filter(pk=member.pk).exists()
    assert SESSION_KEY not in client.session
    assert client.get(reverse("account_settings")).status_code == 302


def test_delete_password_guessing_is_rate_limited(member_client, member):
    for _ in range(10):
        member_client.post(reverse("account_delete"), {"password": "nope", "confirm": "on"})
    response = member_client.post(
        reverse("account_delete"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


def test_deleted_member_profile_is_a_404(client, member):
    _set_privacy(member, "public")
    account_delete(user=member, actor=member)
    assert client.get(reverse("member_profile", args=[member.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="account.delete").count() == 1

"""profile_update and the photo services."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from groundswell.accounts.models import Profile
from groundswell.accounts.services import (
    profile_photo_remove,
    profile_photo_set,
    profile_update,
)
from groundswell.accounts.testing import image_bytes, png_with_header_size, upload
from groundswell.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _update(user, **overrides):
    values = {
        "display_name": "Maya M",
        "bio": "Hello",
        "postal_code": "10001",
        "country": "US",
        "interests": [],
        "languages": [],
        "time_zone": "America/New_York",
        "privacy": Profile.Privacy.MEMBERS,
    }
    values.update(overrides)
    return profile_update(user=user, **values)


# --- profile_update -----------------------------------------------------------------------


def test_profile_update_saves_geocodes_and_syncs_person(member, postal_codes):
    profile = _update(
        member,
        display_name="  Maya  ",
        bio="Line one\r\nLine two",
        postal_code="60601-1234",
        interests=["phone_banking", "canvassing"],
        languages=["es", "en"],
        time_zone="America/Chicago",
        privacy=Profile.Privacy.PUBLIC,
        given_name="Maya",
        family_name="Martinez",
    )
    profile.refresh_from_db()
    assert profile.display_name == "Maya"
    assert profile.bio == "Line one\nLine two"
    assert profile.postal_code == "60601"
    assert (profile.latitude, profile.longitude) == (41.8858, -87.6181)
    # Stored in the order of the choices, whatever order the form sent.
    assert profile.interests == ["canvassing", "phone_banking"]
    assert profile.languages == ["en", "es"]
    assert profile.time_zone == "America/Chicago"
    assert profile.privacy == "public"
    person = member.person
    person.refresh_from_db()
    assert (person.given_name, person.family_name) == ("Maya", "Martinez")
    assert person.postal_code == "60601"
    assert person.languages_spoken == ["en", "es"]
    entry = AuditEntry.objects.get(action="profile.update")
    assert entry.actor == member
    # Field names only: no personal values copied into the log.
    assert "bio" in entry.details["fields"]
    assert "Line one" not in str(entry.details)


def test_profile_update_unknown_postal_code_is_a_field_error_and_saves_nothing(
    member, postal_codes
):
    with pytest.raises(ValidationError) as caught:
        _update(member, postal_code="99999", display_name="Changed", given_name="Changed")
    assert "postal_code" in caught.value.message_dict
    assert "99999" in caught.value.message_dict["postal_code"][0]
    member.profile.refresh_from_db()
    member.person.refresh_from_db()
    assert member.profile.display_name == ""
    assert member.person.given_name == "Maya"
    assert not AuditEntry.objects.filter(action="profile.update").exists()


def test_profile_update_blank_postal_code_clears_the_location(member, postal_codes):
    _update(member, postal_code="10001")
    profile = _update(member, postal_code="")
    assert (profile.postal_code, profile.latitude, profile.longitude) == ("", None, None)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"interests": ["canvassing", "arson"]}, "interests"),
        ({"languages": ["en", "xx"]}, "languages"),
        ({"privacy": "everyone"}, "privacy"),
        ({"bio": "x" * 1001}, "bio"),
        ({"display_name": "x" * 81}, "display_name"),
        ({"country": "USA"}, "country"),
    ],
)
def test_profile_update_rejects_invalid_values(member, postal_codes, overrides, field):
    with pytest.raises(ValidationError) as caught:
        _update(member, **overrides)
    assert field in caught.value.message_dict
    member.profile.refresh_from_db()
    assert member.profile.bio == ""


def test_profile_update_without_names_leaves_the_person_names(member, postal_codes):
    _update(member)
    member.person.refresh_from_db()
    assert (member.person.given_name, member.person.family_name) == ("Maya", "Member")


def test_public_name_falls_back_to_given_name_and_initial_never_email(member, postal_codes):
    profile = Profile.objects.select_related("user__person").get(user=member)
    assert profile.public_name == "Maya M."
    profile.user.person.given_name = ""
    assert profile.public_name == "Member"
    assert "example.org" not in profile.public_name
    profile.display_name = "Mimi"
    assert profile.public_name == "Mimi"


# --- photos -------------------------------------------------------------------------------


def _open_stored(name: str) -> Image.Image:
    with default_storage.open(name) as stored:
        return Image.open(io.BytesIO(stored.read()))


def test_photo_set_resizes_makes_a_square_thumbnail_and_audits(member):
    profile = profile_photo_set(user=member, upload=upload(image_bytes("PNG", (2000, 1000))))
    main = _open_stored(profile.photo.name)
    thumb = _open_stored(profile.photo_thumbnail.name)
    assert main.format == "JPEG" and main.size == (512, 256)
    assert thumb.format == "JPEG" and thumb.size == (128, 128)
    assert profile.photo.name.startswith("profiles/")
    assert AuditEntry.objects.filter(action="profile.photo_set", actor=member).count() == 1


def test_photo_set_applies_exif_orientation_and_strips_metadata(member):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    exif[0x010F] = "SpyCam Inc."  # Make
    data = image_bytes("JPEG", (600, 300), exif=exif.tobytes())
    assert b"SpyCam" in data
    profile = profile_photo_set(user=member, upload=upload(data, "p.jpg", "image/jpeg"))
    main = _open_stored(profile.photo.name)
    assert main.size == (256, 512)  # portrait once the orientation is applied
    assert not main.getexif()
    with default_storage.open(profile.photo.name) as stored:
        assert b"SpyCam" not in stored.read()


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "GIF"])
def test_photo_set_accepts_the_allowed_formats(member, fmt):
    profile = profile_photo_set(
        user=member, upload=upload(image_bytes(fmt, (300, 300)), f"p.{fmt}")
    )
    assert _open_stored(profile.photo_thumbnail.name).size == (128, 128)


def test_photo_set_flattens_transparency(member):
    data = image_bytes("PNG", (200, 200), mode="RGBA")
    profile = profile_photo_set(user=member, upload=upload(data))
    assert _open_stored(profile.photo.name).mode == "RGB"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4 definitely not a photo", "photo.jpg"),
        (b"", "empty.png"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "photo.svg"),
        (image_bytes("BMP", (50, 50)), "photo.bmp"),
        (image_bytes("TIFF", (50, 50)), "photo.tiff"),
        (image_bytes("PNG", (200, 200))[:200], "truncated.png"),
    ],
)
def test_photo_set_refuses_what_is_not_an_allowed_image(member, data, name):
    with pytest.raises(ValidationError) as caught:
        profile_photo_set(user=member, upload=upload(data, name))
    assert "photo" in caught.value.message_dict
    member.profile.refresh_from_db()
    assert not member.profile.photo
    assert not AuditEntry.objects.filter(action="profile.photo_set").exists()


def test_photo_set_refuses_an_oversized_file(member, settings):
    data = image_bytes("PNG", (300, 300))
    settings.PROFILE_PHOTO_MAX_BYTES = len(data) - 1
    with pytest.raises(ValidationError) as caught:
        profile_photo_set(user=member, upload=upload(data))
    assert "too big" in caught.value.message_dict["photo"][0]


@pytest.mark.parametrize(
    "size",
    [
        (8000, 6000),  # 48 megapixels: over our limit, under Pillow's own warning
        (100_000, 100_000),  # a decompression bomb: Pillow itself refuses it
    ],
)
def test_photo_set_refuses_huge_dimensions_without_decoding(member, size):
    with pytest.raises(ValidationError) as caught:
        profile_photo_set(user=member, upload=upload(png_with_header_size(*size)))
    assert "too large" in caught.value.message_dict["photo"][0]


def test_photo_replace_deletes_the_old_files_on_commit(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = profile_photo_set(user=member, upload=upload(image_bytes()))
    old = [first.photo.name, first.photo_thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        second = profile_photo_set(user=member, upload=upload(image_bytes()))
    assert all(not default_storage.exists(name) for name in old)
    assert default_storage.exists(second.photo.name)
    assert default_storage.exists(second.photo_thumbnail.name)


def test_photo_remove_clears_fields_and_files(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        profile = profile_photo_set(user=member, upload=upload(image_bytes()))
    names = [profile.photo.name, profile.photo_thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        profile_photo_remove(user=member)
    profile.refresh_from_db()
    assert not profile.photo and not profile.photo_thumbnail
    assert all(not default_storage.exists(name) for name in names)
    assert AuditEntry.objects.filter(action="profile.photo_remove", actor=member).exists()

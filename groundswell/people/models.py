"""People: everyone the campaign knows, with or without a login.

A Person is the CRM record (OSDI `person`); an accounts.User is a login that points at one.
Sign-ups through the API, RSVPs from non-members and site accounts all meet here by email,
so one human is one Person.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Person(models.Model):
    class EmailStatus(models.TextChoices):
        SUBSCRIBED = "subscribed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCING = "bouncing", _("Bouncing")
        SPAM_COMPLAINT = "spam complaint", _("Spam complaint")

    # Always stored lower-cased (services normalise it); null once erased.
    # NULL, not "", so the partial unique index skips erased people.
    email = models.EmailField(_("email address"), max_length=254, null=True, blank=True)  # noqa: DJ001
    email_status = models.CharField(
        _("email status"), max_length=20, choices=EmailStatus, default=EmailStatus.SUBSCRIBED
    )
    given_name = models.CharField(_("first name"), max_length=100, blank=True)
    family_name = models.CharField(_("last name"), max_length=100, blank=True)
    address_line = models.CharField(_("street address"), max_length=200, blank=True)
    locality = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    # Cached from geo.PostalCode when the postal code is set, for "near" queries on people.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    languages_spoken = models.JSONField(_("languages spoken"), default=list, blank=True)
    # The site language (a code of settings.LANGUAGES) the person last used with us; their
    # mail is written in it. Set only by people.services, which keep it to those codes.
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        blank=True,
        help_text=_("The language they last used on the site; their emails are written in it."),
    )
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="people_person_email_unique_ci",
                condition=models.Q(email__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="people_person_latlng"),
            models.Index(fields=["postal_code"], name="people_person_postal_code"),
        ]

    def __str__(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or self.email or f"person {self.pk}"


class PhoneNumber(models.Model):
    class NumberType(models.TextChoices):
        MOBILE = "Mobile", _("Mobile")
        HOME = "Home", pgettext_lazy("phone number type", "Home")
        WORK = "Work", _("Work")
        OTHER = "Other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phone_numbers")
    number = models.CharField(
        _("phone number"), max_length=20, help_text=_("E.164, e.g. +12025550143")
    )
    number_type = models.CharField(max_length=10, choices=NumberType, default=NumberType.MOBILE)
    primary = models.BooleanField(default=False)
    do_not_call = models.BooleanField(default=False)
    sms_opted_in = models.BooleanField(default=False)
    consent_source = models.CharField(max_length=100, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="people_phone_person_number")
        ]
        indexes = [models.Index(fields=["number"], name="people_phone_number")]

    def __str__(self) -> str:
        return self.number


def name_key(name: str) -> str:
    """The case-insensitive form of a name, folded in Python: the same on every database.

    SQLite's LOWER() folds ASCII only and PostgreSQL's follows its locale, so a unique index
    over LOWER(name) and a lookup folded in Python disagree outside ASCII ("Élan" vs "élan").
    Full case folding of the canonical decomposition, recomposed (NFC).
    """
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())


class Tag(models.Model):
    """An OSDI tag: a label staff apply to people to segment them.

    Names are unique case-insensitively through `name_key` (see name_key()), which save()
    keeps in step with the name.
    """

    name = models.CharField(_("name"), max_length=100)
    # Folding can lengthen a name ("ß" → "ss"), hence the room.
    name_key = models.CharField(max_length=300, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name_key"], name="people_tag_name_key")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)


class Tagging(models.Model):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="taggings")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "person"], name="people_tagging_tag_person")
        ]

    def __str__(self) -> str:
        return f"{self.tag_id} → {self.person_id}"

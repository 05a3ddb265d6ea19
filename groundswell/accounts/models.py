"""Member accounts (logins) and their public-facing profiles."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from groundswell.people.models import Person


class UserManager(BaseUserManager["User"]):
    """Used by Django's own `createsuperuser`; application code goes through accounts.services."""

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        with transaction.atomic(using=self._db):
            user = self.model(email=self.normalize_email(email).lower(), **extra)
            user.set_password(password)
            user.save(using=self._db)
            # Every login has a profile, so "My profile" and "Edit profile" work for it too.
            Profile.objects.using(self._db).create(user=user)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, staff_role=User.StaffRole.HQ)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Its `person` is the CRM record it shares with API sign-ups and RSVPs."""

    class StaffRole(models.TextChoices):
        NONE = "", _("Supporter")
        ORGANIZER = "organizer", _("Organizer")
        HQ = "hq", _("HQ")

    # Stored lower-cased by the services; `unique` gives exact lookups (logins, allauth) an
    # index, the functional constraint below keeps uniqueness case-insensitive.
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    staff_role = models.CharField(_("staff role"), max_length=20, choices=StaffRole, blank=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_unique_ci")
        ]

    def __str__(self) -> str:
        return self.email


class Profile(models.Model):
    class Privacy(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can see my profile")
        MEMBERS = "members", _("Members: only signed-in members can see it")
        PRIVATE = "private", _("Only me")

    class Interest(models.TextChoices):
        CANVASSING = "canvassing", _("Door-to-door canvassing")
        PHONE_BANKING = "phone_banking", _("Phone banking")
        HOSTING = "hosting", _("Hosting events")
        DATA_ENTRY = "data_entry", _("Data entry")
        FUNDRAISING = "fundraising", _("Fundraising")
        VOTER_REGISTRATION = "voter_registration", _("Voter registration")
        SOCIAL_MEDIA = "social_media", _("Social media")
        DRIVING = "driving", _("Driving voters to the polls")
        TRANSLATION = "translation", _("Translation")

    class Language(models.TextChoices):
        """Languages a member speaks, stored as ISO 639 codes (as OSDI's languages_spoken)."""

        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")
        FRENCH = "fr", _("French")
        CHINESE = "zh", _("Chinese")
        VIETNAMESE = "vi", _("Vietnamese")
        ARABIC = "ar", _("Arabic")
        TAGALOG = "tl", _("Tagalog")
        KOREAN = "ko", _("Korean")
        RUSSIAN = "ru", _("Russian")
        HAITIAN_CREOLE = "ht", _("Haitian Creole")
        PORTUGUESE = "pt", _("Portuguese")
        # ISO 639-2 "mis": a language without its own code in this list.
        OTHER = "mis", _("Other")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    photo = models.ImageField(_("photo"), upload_to="profiles/%Y/%m/", blank=True)
    photo_thumbnail = models.ImageField(upload_to="profiles/%Y/%m/", blank=True, editable=False)
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    postal_code = models.CharField(_("ZIP / postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/New_York")
    privacy = models.CharField(
        _("who can see my profile"), max_length=10, choices=Privacy, default=Privacy.MEMBERS
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        indexes = [models.Index(fields=["latitude", "longitude"], name="accounts_profile_latlng")]

    def __str__(self) -> str:
        return self.display_name or f"member {self.user_id}"

    @property
    def public_name(self) -> str:
        """The name other people see: the display name, else "Given F.", never the email.

        Reads `user.person`: fetch profiles with select_related("user__person").
        """
        if self.display_name.strip():
            return self.display_name.strip()
        person = self.user.person
        given = person.given_name.strip() if person else ""
        if given:
            initial = person.family_name.strip()[:1].upper() if person else ""
            return f"{given} {initial}." if initial else given
        return gettext("Member")

    @property
    def interest_labels(self) -> list[str]:
        known = dict(Profile.Interest.choices)
        return [str(known[value]) for value in self.interests if value in known]

    @property
    def language_labels(self) -> list[str]:
        known = dict(Profile.Language.choices)
        return [str(known[value]) for value in self.languages if value in known]

"""The languages the site speaks, and the apps told when a signed-in member chooses one.

A member's choice in the footer's switcher (`core.views.language_switch`) is stored on their
Person so that mail follows it (decision 0012). core imports no app, so the app that knows
who the member is registers a hook from its AppConfig.ready(), as the account export does:

    from groundswell.core.languages import language_chosen_register
    language_chosen_register("member", member_language_set)

Each hook is called as `hook(user=..., language=...)` with a code from settings.LANGUAGES.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

LanguageHook = Callable[..., None]
_HOOKS: dict[str, LanguageHook] = {}


def language_supported(code: str | None) -> str:
    """`code` as the site's own code for it ("fr-ca" -> "fr"), or "" if the site doesn't
    speak it (only settings.LANGUAGES count)."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return ""


def language_chosen_register(name: str, hook: LanguageHook) -> None:
    """Add an app's hook; registering the same name twice with another function is an error."""
    existing = _HOOKS.get(name)
    if existing is not None and existing is not hook:
        raise ImproperlyConfigured(f"A language hook named {name!r} is already registered.")
    _HOOKS[name] = hook


def language_chosen(*, user: Any, language: str) -> None:
    """A signed-in member chose `language`: tell every registered hook."""
    for hook in _HOOKS.values():
        hook(user=user, language=language)

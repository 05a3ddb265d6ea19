from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "groundswell.accounts"
    label = "accounts"

    def ready(self) -> None:
        from groundswell.accounts.services import member_language_set
        from groundswell.core.languages import language_chosen_register

        # The footer's language switch (core) keeps a signed-in member's choice on their
        # Person, so their mail is written in it (decision 0012).
        language_chosen_register("member", member_language_set)

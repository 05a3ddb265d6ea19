from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groundswell.groups"
    label = "groups"

    def ready(self) -> None:
        from groundswell.accounts.selectors import export_section_register
        from groundswell.groups.selectors import group_export_for_member
        from groundswell.groups.services import group_person_erase
        from groundswell.people.erasure import person_eraser_register

        # "Download my data" includes the member's groups and posts; deleting the account
        # ends their memberships and takes their name off their posts.
        export_section_register("groups", group_export_for_member)
        person_eraser_register("groups", group_person_erase)

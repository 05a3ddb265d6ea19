from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "groundswell.events"
    label = "events"

    def ready(self) -> None:
        from groundswell.accounts.selectors import export_section_register
        from groundswell.core.health import schedule_check_register
        from groundswell.events.hosting.services.events import hosted_events_erase
        from groundswell.events.reminders.services import reminders_plan_health
        from groundswell.events.rsvp.selectors import attendances_export
        from groundswell.events.rsvp.services import attendances_erase
        from groundswell.people.erasure import person_eraser_register

        # "Download my data" includes the member's RSVPs; erasing a person cancels their
        # upcoming RSVPs (places go to the waitlist) and keeps past ones, de-identified.
        export_section_register("event_attendances", attendances_export)
        person_eraser_register("event_attendances", attendances_erase)
        person_eraser_register("hosted_events", hosted_events_erase)
        # /healthz says "degraded" when the reminder planner's schedule has stopped.
        schedule_check_register("event_reminders", reminders_plan_health)

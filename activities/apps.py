from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from activities.models import Kind
        from activities.resources import ACTIVITY
        from activities.views import has_timeline, home_agenda, timeline_context, timeline_post
        from crm import registry

        # Not a record type (no list of its own in the record sense, no Recent): a site-map
        # entry, a Quick Create line per kind (the order people reach for them), Home's panel and
        # Import Data (activities.imports).
        kinds = [Kind.TASK, Kind.PHONE_CALL, Kind.EMAIL, Kind.APPOINTMENT, Kind.NOTE]
        registry.register_capability(
            registry.Capability(
                namespace="activities",
                label=_("Activities"),
                list_url_name="activities:list",
                icon="clock",
                quick_create=tuple(
                    registry.QuickCreateEntry(kind.label, "activities:quick_create", f"kind={kind.value}")
                    for kind in kinds
                ),
                home_panel=registry.HomePanel("activities/home_agenda.html", home_agenda),
                transfer=ACTIVITY,
                # The timeline on the record pages of every type an activity can be about.
                record_panel=registry.RecordPanel(
                    template="activities/timeline.html",
                    applies_to=has_timeline,
                    context=timeline_context,
                    post_field="activity_kind",
                    post=timeline_post,
                    fragment="timeline",
                ),
            )
        )

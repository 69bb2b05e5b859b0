"""Working group pages, under /working-group/ in the ``wg`` namespace."""

from django.urls import path

from allied.core.home import Link, Section, register
from allied.core.models.principals import Role
from allied.working_group import views

app_name = "wg"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("status/", views.status, name="status"),
    path("priorities/", views.priorities, name="priorities"),
    path("request-types/", views.request_kind, name="request-kind"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_create, name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("guidance/", views.guidance, name="guidance"),
    path("guidance/conflicts/", views.conflicts, name="conflicts"),
    path("brief/", views.brief, name="brief"),
]

register(
    Section(
        Role.WORKING_GROUP,
        "The queue of allied requests",
        "Every open request from every module, ranked by the priorities the group sets, each "
        "score shown with its parts; guidance given to partners and where it conflicts; the "
        "weekly brief.",
        (
            Link("Queue", "wg:queue"),
            Link("Partner priorities and targets", "wg:priorities"),
            Link("Guidance log", "wg:guidance"),
            Link("Conflicts and overdue commitments", "wg:conflicts"),
            Link("Weekly brief", "wg:brief"),
        ),
    )
)
register(
    Section(
        Role.LIAISON_OFFICER,
        "Your nation's requests",
        "Where your nation's requests stand (disclosure, arms sales, planning, liaison, training "
        "and exercises), as far as it is releasable to you, and a form to open a new one.",
        (Link("Status of your requests", "wg:status"), Link("Open a request", "wg:request-create")),
    )
)

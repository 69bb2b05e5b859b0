"""Working group pages, under /working-group/ in the ``wg`` namespace."""

from django.urls import path

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

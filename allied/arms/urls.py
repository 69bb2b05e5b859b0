"""Arms-sales pages (namespace ``arms``); the landing page is ``arms:case-list``.

Also adds the arms-sales sections to the home page of case managers, purchasers, liaison
officers and the working group.
"""

from django.urls import URLPattern, URLResolver, path

from allied.arms.views import analytics, casebook, cases, groups, licences, notification
from allied.core.home import Link, Section, register
from allied.core.models.principals import Role

app_name = "arms"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", cases.CaseList.as_view(), name="case-list"),
    path("cases/import/", casebook.case_import, name="case-import"),
    path("cases/<int:pk>/", cases.CaseDetail.as_view(), name="case-detail"),
    path("cases/<int:pk>/advance/", cases.case_advance, name="case-advance"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case-edit"),
    path("coordinated/", groups.GroupList.as_view(), name="group-list"),
    path("coordinated/<int:pk>/", groups.GroupDetail.as_view(), name="group-detail"),
    path("licences/", licences.LicenceList.as_view(), name="licence-list"),
    path("licences/<int:pk>/", licences.LicenceDetail.as_view(), name="licence-detail"),
    path("lor/check/", notification.lor_check, name="lor-check"),
    path("notification/", notification.notification, name="notification"),
    path("analytics/", analytics.analytics, name="analytics"),
]

_CASES = Link("FMS cases", "arms:case-list")
_LOR = Link("Check a draft letter of request", "arms:lor-check")
_COORDINATED = Link("Coordinated cases", "arms:group-list")
_ANALYTICS = Link("Bottlenecks", "arms:analytics")
_NOTIFICATION = Link("Congressional notification", "arms:notification")
_LICENCES = Link("DCS licences", "arms:licence-list")
_IMPORT = Link("Import a case book", "arms:case-import")

register(
    Section(
        Role.CASE_MANAGER,
        "Move FMS cases",
        "Every case's stage, owner and blockers; complete stages, see where coordinated cases "
        "wait on each other, and whether a sale needs notification to Congress.",
        (_CASES, _COORDINATED, _ANALYTICS, _NOTIFICATION, _LICENCES, _IMPORT),
    )
)
register(
    Section(
        Role.PURCHASER,
        "Your nation's FMS cases",
        "Your cases' status, anticipated offer dates and the blockers releasable to you; check a "
        "letter of request before you send it.",
        (_CASES, _LOR, _LICENCES),
    )
)
register(
    Section(
        Role.LIAISON_OFFICER,
        "Arms sales for your nation",
        "Your nation's FMS cases and DCS licences as far as they are releasable to you.",
        (_CASES, _COORDINATED, _LOR),
    )
)
register(
    Section(
        Role.WORKING_GROUP,
        "Arms-sales bottlenecks",
        "Where FMS cases wait, by stage, agency, partner and review, and what pending bills "
        "would change.",
        (_ANALYTICS, _NOTIFICATION, _CASES),
    )
)

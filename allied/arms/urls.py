"""Arms-sales pages (namespace ``arms``); the landing page is ``arms:case-list``.

The arms-sales sections of the home page are added in ``ArmsConfig.ready``.
"""

from django.urls import URLPattern, URLResolver, path

from allied.arms.views import analytics, casebook, cases, groups, licences, notification

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

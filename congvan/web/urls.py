from django.urls import path

from congvan.web import administration as adm
from congvan.web import processing, views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("acting/", views.choose_membership, name="choose_membership"),
    path("inbox/", views.inbox_view, name="inbox"),
    path("outbox/", views.outbox_view, name="outbox"),
    path("compose/", views.compose, name="compose"),
    path("documents/<int:document_id>/", views.document_view, name="document"),
    path("documents/<int:document_id>/edit/", views.compose, name="edit"),
    path("documents/<int:document_id>/files/<int:file_id>/", views.download, name="download"),
    path("documents/<int:document_id>/<slug:action>/", views.document_action, name="document_action"),
    path("receipts/<int:receipt_id>/direct/", processing.direct, name="direct"),
    path("receipts/<int:receipt_id>/<slug:action>/", views.receipt_action, name="receipt_action"),
    path("work/", processing.my_work, name="work"),
    path("assignments/<int:assignment_id>/", processing.assignment_view, name="assignment"),
    path(
        "assignments/<int:assignment_id>/<slug:action>/",
        processing.assignment_action,
        name="assignment_action",
    ),
    path("oversight/", processing.oversight_view, name="oversight"),
    path("notifications/", processing.notifications_view, name="notifications"),
    path("dossiers/", processing.dossiers_view, name="dossiers"),
    path("registers/<slug:direction>/", processing.register_view, name="register"),
    path("search/", processing.search_view, name="search"),
    path("intake/", processing.intake_list, name="intake_list"),
    path("intake/<int:intake_id>/", processing.intake_view, name="intake"),
    path("account/", adm.account_view, name="account"),
    path("groups/", adm.groups_view, name="groups"),
    path("groups/<int:group_id>/", adm.group_view, name="group"),
    path("admin/", adm.units_view, name="admin"),
    path("admin/units/", adm.units_view, name="admin_units"),
    path("admin/units/<str:code>/", adm.unit_view, name="admin_unit"),
    path("admin/units/<str:code>/<slug:action>/", adm.unit_action, name="admin_unit_action"),
    path("admin/people/", adm.people_view, name="admin_people"),
    path("admin/people/<str:username>/", adm.person_view, name="admin_person"),
    path("admin/people/<str:username>/<slug:action>/", adm.person_action, name="admin_person_action"),
    path("admin/holidays/", adm.holidays_view, name="admin_holidays"),
    path("admin/transfer/", adm.transfer_view, name="admin_transfer"),
    path("admin/export/<slug:what>.csv", adm.export_view, name="admin_export"),
]

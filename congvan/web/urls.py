from django.urls import path

from congvan.web import views

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
    path("receipts/<int:receipt_id>/<slug:action>/", views.receipt_action, name="receipt_action"),
]

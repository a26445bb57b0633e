from django.urls import path

from congvan.exchange import views

urlpatterns = [
    path("messages", views.messages, name="exchange-messages"),
    path("batch", views.batch, name="exchange-batch"),
    path("directory", views.units, name="exchange-directory"),
    path("echo", views.echo, name="exchange-echo"),
]

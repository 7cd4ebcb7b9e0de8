from django.urls import path

from . import views

urlpatterns = [
    path("slack/events/", views.slack_events),
    path("rows/", views.import_rows),
    path("paddle/", views.PaddleWebhookView.as_view()),
]

from django.urls import path

from . import views

urlpatterns = [
    path("a/<int:pk>/", views.article_detail),
    path("a/<int:pk>/edit/", views.article_edit),
    path("a/<int:pk>/delete/", views.article_delete),
    path("o/<int:pk>/", views.order_detail),
    path("s/<slug>/", views.by_slug),
    path("au/<author>/", views.by_author),
    path("st/<status>/", views.by_status),
    path("n/<number>/", views.by_number),
]

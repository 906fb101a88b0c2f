from __future__ import annotations

from django.urls import path

from apps.pharmacology import views

app_name = "pharmacology"
urlpatterns = [
    path("how-ldn-works/", views.how_ldn_works, name="how_ldn_works"),
]

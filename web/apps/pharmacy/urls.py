from __future__ import annotations

from django.urls import path

from apps.pharmacy import views

app_name = "pharmacy"
_RX = "patients/<int:patient_id>/prescriptions/<int:prescription_id>/"
urlpatterns = [
    path("pharmacy/prices/", views.prices, name="prices"),
    path("pharmacy/balance/", views.balance, name="balance"),
    path(_RX + "worksheet/", views.worksheet, name="worksheet"),
    path(_RX + "dispense/", views.dispense, name="dispense"),
    path(_RX + "cost/", views.cost, name="cost"),
]

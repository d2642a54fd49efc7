from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.summary, name="summary"),
    path("export.csv", views.summary_export, name="summary_export"),
    path("<str:record_type>/<int:pk>/", views.record_history, name="history"),
]

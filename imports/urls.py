from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.history, name="history"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/map/", views.job_map, name="map"),
    path("<int:pk>/status/", views.job_status, name="status"),
    path("<int:pk>/failed-rows/", views.job_failures, name="failures"),
    path("<int:pk>/delete/", views.job_delete, name="delete"),
    path("export/<str:entity>/<str:file_format>/", views.export_records, name="export"),
]

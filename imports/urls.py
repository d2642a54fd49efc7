from django.urls import path

from imports import export_job_views, views

app_name = "imports"
urlpatterns = [
    path("", views.history, name="history"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/map/", views.job_map, name="map"),
    path("<int:pk>/status/", views.job_status, name="status"),
    path("<int:pk>/failed-rows/", views.job_failures, name="failures"),
    path("<int:pk>/delete/", views.job_delete, name="delete"),
    path("<int:pk>/resume/", views.job_resume, name="resume"),
    path("export/<str:entity>/<str:file_format>/", views.export_records, name="export"),
    path("exports/<int:pk>/", export_job_views.export_job, name="export_job"),
    path("exports/<int:pk>/status/", export_job_views.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/download/", export_job_views.export_job_download, name="export_job_download"),
]

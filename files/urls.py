from django.urls import path

from files import views

urlpatterns = [
    path("audio/<str:file_id>", views.FileDownloadView.as_view(), name="files-download"),
    path("<str:file_id>/info", views.FileInfoView.as_view(), name="files-info"),
    path("<str:file_id>", views.FileDetailView.as_view(), name="files-detail"),
]

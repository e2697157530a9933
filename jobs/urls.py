from django.urls import path

from jobs import views

urlpatterns = [
    path("<str:job_id>", views.JobDetailView.as_view(), name="job"),
    path("<str:job_id>/cancel", views.JobCancelView.as_view(), name="job-cancel"),
    path("<str:job_id>/progress/ticket", views.JobProgressTicketView.as_view(), name="job-progress-ticket"),
]

"""Job endpoints: list, detail, cancel, and a WebSocket ticket for browsers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_from_request
from accounts.sessions import credentials_from_request
from accounts.tickets import TICKET_TTL_S, ticket_issue
from jobs import selectors, services
from jobs.serializers import JobDetailSerializer, JobFilterSerializer, JobListItemSerializer, ProgressTicketSerializer
from voxify_project.envelope import ok
from voxify_project.openapi import enveloped, error_responses
from voxify_project.pagination import PAGE_PARAMETERS, paginated_as, paginated_response, paginated_schema


class JobListView(APIView):
    pagination_class = paginated_as("jobs")

    @extend_schema(
        operation_id="jobs_list",
        parameters=[JobFilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: paginated_schema(pagination_class, JobListItemSerializer, "JobList"),
            **error_responses(400, 401),
        },
        tags=["jobs"],
    )
    def get(self, request: Request) -> Response:
        filters = JobFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        jobs = selectors.job_list(user=user_from_request(request), **filters.validated_data)
        return paginated_response(self.pagination_class, request, jobs, JobListItemSerializer)


class JobDetailView(APIView):
    @extend_schema(
        operation_id="jobs_get",
        responses={200: enveloped(JobDetailSerializer, "JobEnvelope"), **error_responses(401, 404)},
        tags=["jobs"],
    )
    def get(self, request: Request, job_id: str) -> Response:
        return ok(
            JobDetailSerializer(
                selectors.job_get(user=user_from_request(request), job_id=job_id), context={"request": request}
            ).data
        )


class JobCancelView(APIView):
    @extend_schema(
        operation_id="jobs_cancel",
        request=None,
        responses={200: enveloped(JobDetailSerializer, "JobEnvelope"), **error_responses(401, 404, 409)},
        tags=["jobs"],
        description="A pending job is cancelled at once; a running one stops at its next check (within "
        "about a second) and ends `cancelled`. Cancelling again is harmless; a finished job gets 409.",
    )
    def post(self, request: Request, job_id: str) -> Response:
        job = services.job_cancel(job=selectors.job_get(user=user_from_request(request), job_id=job_id))
        message = "Job cancelled" if job.status == "cancelled" else "Cancellation requested"
        return ok(JobDetailSerializer(job, context={"request": request}).data, message)


class JobProgressTicketView(APIView):
    @extend_schema(
        operation_id="jobs_progress_ticket",
        request=None,
        responses={201: enveloped(ProgressTicketSerializer, "ProgressTicketEnvelope"), **error_responses(401, 404)},
        tags=["jobs"],
        description="A single-use ticket, valid for 60 s, to open the progress WebSocket from a browser: "
        "`/api/v1/jobs/{job_id}/progress/ws?ticket=…`.",
    )
    def post(self, request: Request, job_id: str) -> Response:
        user = user_from_request(request)
        job = selectors.job_get(user=user, job_id=job_id)
        ticket = ticket_issue(credentials=credentials_from_request(request), scope=job.public_id)
        data = {"ticket": ticket, "expires_in": TICKET_TTL_S, "url": f"/api/v1/jobs/{job.public_id}/progress/ws"}
        return ok(ProgressTicketSerializer(data).data, status=201)

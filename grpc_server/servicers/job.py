"""JobService: adapters over jobs.selectors / services; progress streamed from the job row."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import grpc

from grpc_server.convert import given, message_from, page_params
from grpc_server.protos import job_pb2, job_pb2_grpc
from grpc_server.rpc import credentials_check, rpc
from grpc_server.servicers.auth import validated
from jobs import selectors, services
from jobs.notifications import job_message
from jobs.serializers import JobDetailSerializer, JobFilterSerializer
from voxify_project.pagination import page_of

if TYPE_CHECKING:  # models of other apps: for annotations only (adapters call services and selectors)
    from accounts.models import User
    from jobs.models import Job

PROGRESS_POLL_S = 0.2


def job_proto(job: Job) -> job_pb2.Job:
    return message_from(job_pb2.Job, JobDetailSerializer(job).data)


class JobServicer(job_pb2_grpc.JobServiceServicer):
    @rpc()
    def GetJob(
        self, request: job_pb2.GetJobRequest, context: grpc.ServicerContext, user: User
    ) -> job_pb2.GetJobResponse:
        return job_pb2.GetJobResponse(job=job_proto(selectors.job_get(user=user, job_id=request.job_id)))

    @rpc()
    def ListJobs(
        self, request: job_pb2.ListJobsRequest, context: grpc.ServicerContext, user: User
    ) -> job_pb2.ListJobsResponse:
        filters = validated(JobFilterSerializer, given(request, "status", "type"))
        jobs, pagination = page_of(
            selectors.job_list(user=user, **filters), page_params(request.page, request.page_size)
        )
        return job_pb2.ListJobsResponse(
            jobs=[job_proto(job) for job in jobs], pagination=job_pb2.Pagination(**pagination)
        )

    @rpc()
    def CancelJob(
        self, request: job_pb2.CancelJobRequest, context: grpc.ServicerContext, user: User
    ) -> job_pb2.CancelJobResponse:
        job = services.job_cancel(job=selectors.job_get(user=user, job_id=request.job_id))
        return job_pb2.CancelJobResponse(job=job_proto(job))

    @rpc()
    def GetJobProgress(
        self, request: job_pb2.GetJobProgressRequest, context: grpc.ServicerContext, user: User
    ) -> Iterator[job_pb2.JobProgressResponse]:
        """The current state, then every change, until the job ends (the row is the truth)."""
        job = selectors.job_get(user=user, job_id=request.job_id)
        last: tuple[Any, ...] | None = None
        while context.is_active():
            job.refresh_from_db(fields=["status", "progress", "message", "heartbeat_at", "started_at", "finished_at"])
            state = (job.status, round(job.progress, 4), job.message)
            if state != last:
                last = state
                yield message_from(job_pb2.JobProgressResponse, job_message(job))
            if job.is_terminal:
                return
            time.sleep(PROGRESS_POLL_S)
            credentials_check()  # ends the stream once the caller's credentials stop being valid

from django.apps import AppConfig


class GrpcServerConfig(AppConfig):
    name = "grpc_server"
    verbose_name = "gRPC sidecar"

"""The gRPC sidecar: protos, servicers and the rungrpc command."""

"""Run a command with an S3-compatible server (moto) and a Chroma server on loopback.

Used by ``make test-services``: picks free ports, starts both servers, creates the bucket,
runs the command with STORAGE_BACKEND=s3 / AWS_* / CHROMA_URL pointing at them, stops both
servers and exits with the command's status.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"with_test_servers: server for {url} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - loopback URL built here
            return
        except urllib.error.HTTPError:
            return  # it answers
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(f"with_test_servers: {url} did not answer within {timeout:.0f} s")


def main(argv: list[str]) -> int:
    if not argv:
        raise SystemExit("usage: with_test_servers.py COMMAND [ARGS...]")
    s3_port, chroma_port = free_port(), free_port()
    chroma_dir = tempfile.mkdtemp(prefix="voxify-chroma-")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    servers = [
        subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [str(BIN / "chroma"), "run", "--path", chroma_dir, "--host", "127.0.0.1", "--port", str(chroma_port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        s3_url, chroma_url = f"http://127.0.0.1:{s3_port}", f"http://127.0.0.1:{chroma_port}"
        wait_http(s3_url, servers[0])
        wait_http(f"{chroma_url}/api/v2/heartbeat", servers[1])
        test_env = {
            **env,
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": "voxify-test",
            "AWS_S3_ENDPOINT_URL": s3_url,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "voxify-test",
            "AWS_SECRET_ACCESS_KEY": "voxify-test-secret",
            "AWS_LOCATION": "voxify",
            "CHROMA_URL": chroma_url,
        }
        import boto3

        boto3.client(
            "s3",
            endpoint_url=s3_url,
            region_name="us-east-1",
            aws_access_key_id="voxify-test",
            aws_secret_access_key="voxify-test-secret",
        ).create_bucket(Bucket="voxify-test")
        print(f"with_test_servers: S3 (moto) at {s3_url}, Chroma at {chroma_url}", flush=True)
        return subprocess.call(argv, env=test_env)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(chroma_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

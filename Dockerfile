# syntax=docker/dockerfile:1
# One image for every role (docs/deployment.md): the default command runs the whole service on
# one machine (embedded mode); compose.yaml's production profile runs the web server, the gRPC
# sidecar, the Celery workers and beat from this same image with their own commands.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the virtual environment, compiled where a package has no wheel (webrtcvad) ---
FROM ${PYTHON_IMAGE} AS build
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/voxify/app
COPY requirements.txt requirements-nodeps.txt ./
COPY scripts/install.sh scripts/install.sh
# The runtime packages only: the same script `make install` runs (with --dev added there).
RUN python -m venv /opt/voxify/venv \
    && TORCH_INDEX_URL="${TORCH_INDEX_URL}" bash scripts/install.sh /opt/voxify/venv/bin/python

# --- runtime ---
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/voxify/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    VOXIFY_VAR_DIR=/var/lib/voxify \
    STATIC_ROOT=/opt/voxify/static \
    SERVE_BIND=0.0.0.0 \
    SERVE_HTTP_PORT=8000 \
    GRPC_BIND=0.0.0.0
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 voxify \
    && useradd --system --uid 10001 --gid voxify --home-dir /var/lib/voxify --shell /usr/sbin/nologin voxify \
    && install -d -o voxify -g voxify -m 0750 /var/lib/voxify
COPY --from=build /opt/voxify/venv /opt/voxify/venv
WORKDIR /opt/voxify/app
COPY . .
# The speech models are files of installed packages (Piper voice, Resemblyzer, Whisper tiny.en,
# the d-vector encoder, DistillMOS): loading each once here proves they are in the image and that
# nothing is fetched at run time. Static files are collected for WhiteNoise. The throwaway keys
# exist only for these two commands, so that no secret is generated into the image.
RUN SECRET_KEY=image-build-only JWT_SIGNING_KEY=image-build-only VOXIFY_VAR_DIR=/tmp/voxify-build \
       python manage.py check_models \
    && SECRET_KEY=image-build-only JWT_SIGNING_KEY=image-build-only VOXIFY_VAR_DIR=/tmp/voxify-build \
       python manage.py collectstatic --noinput \
    && rm -rf /tmp/voxify-build \
    && python -m compileall -q /opt/voxify/app
USER voxify
VOLUME ["/var/lib/voxify"]
EXPOSE 8000 50051
HEALTHCHECK --interval=15s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "-m", "voxify_project.probe", "http", "--port", "8000"]
CMD ["sh", "-c", "python manage.py migrate --noinput && exec python manage.py serve"]

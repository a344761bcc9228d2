# The connector's image: one build for the three processes of the Procfile.
#   web      (default)  gunicorn with production settings
#   worker              docker run IMAGE python -m workers
#   release             docker run IMAGE release   (migrations, then the 2025 administrative units)
# Configuration comes from the environment (README, "Configuration"); production refuses demo secrets
# and sandbox addresses at start. Built without the sandbox (.dockerignore) and without build tools.
# python:3.11-slim from Docker Hub; where Docker Hub is out of reach, docker/python-base makes an
# equivalent from Debian's packages (--build-arg PYTHON_IMAGE=connector-python:3.11).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CONNECTOR_ENV=production \
    CONNECTOR_INSTANCE_DIR=/var/lib/connector \
    MEDIA_ROOT=/var/lib/connector/media \
    PYTHONPATH=/app \
    PORT=8000

WORKDIR /app

# The dependencies first (a layer that changes only with pyproject.toml), then the code, run from
# /app (PYTHONPATH) as on a Procfile platform: the templates and catalogues sit beside it.
COPY pyproject.toml README.md LICENSE ./
RUN mkdir -p connector workers && touch connector/__init__.py workers/__init__.py \
    && pip install . && pip uninstall -y connector
COPY connector ./connector
COPY workers ./workers
COPY templates ./templates
COPY translations ./translations
COPY docker/release /usr/local/bin/release
# The catalogues compiled now, so the image starts in Vietnamese even on a read-only filesystem.
RUN pybabel compile --use-fuzzy -d translations \
    && useradd --system --uid 10001 --home-dir /var/lib/connector connector \
    && mkdir -p /var/lib/connector/media && chown -R connector /var/lib/connector

USER connector
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"
CMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-2} --access-logfile - --access-logformat '%(h)s \"%(m)s %(U)s\" %(s)s %(B)s %(M)sms' 'connector:create_app()'"]

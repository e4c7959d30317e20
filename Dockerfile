# phongdich container image: web (gunicorn), Celery worker, Celery beat and `phongdich upgrade` from one image.
# Build: docker build -t phongdich .   Run: deploy/compose.yaml (docs/deploy.md, "Containers").
# No secrets in the image: every setting comes from the environment at run time (deploy/phongdich.env.example).

# Front-end libraries (charts, maps, graphs) from the npm registry.
FROM node:22-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PHONGDICH_VAR_DIR=/var/lib/phongdich \
    PHONGDICH_BIND=0.0.0.0:8000 \
    FORWARDED_ALLOW_IPS=* \
    PATH=/opt/venv/bin:$PATH

# postgresql-client: pg_dump/pg_restore for `phongdich backup`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system phongdich \
 && useradd --system --gid phongdich --home-dir /var/lib/phongdich --shell /usr/sbin/nologin phongdich \
 && install -d -o phongdich -g phongdich /var/lib/phongdich

WORKDIR /app
COPY . .
COPY --from=frontend /build/node_modules ./node_modules
# Editable, as `make install`: the code, templates and translations stay in /app (settings.BASE_DIR).
RUN python -m venv /opt/venv && pip install -e . \
 # Translations and static files at build time, with a throw-away key (not a secret: never used at run time).
 && DEBUG=0 SECRET_KEY=build-only-not-a-secret PHONGDICH_VAR_DIR=/tmp/build-var python manage.py compile_translations \
 && DEBUG=0 SECRET_KEY=build-only-not-a-secret PHONGDICH_VAR_DIR=/tmp/build-var python manage.py collectstatic --no-input -v0 \
 && rm -rf /tmp/build-var \
 # `phongdich upgrade` re-runs collectstatic as the service user: that folder only is writable.
 && chown -R phongdich:phongdich /app/staticfiles

USER phongdich
VOLUME ["/var/lib/phongdich"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz/').status != 200)"
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "phongdich.wsgi"]

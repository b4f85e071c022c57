# The followup image: `followup serve` by default; docker-compose.yml also runs the
# migration and `followup worker` from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed, unprivileged user; the numeric id lets orchestrators verify "not root".
# /data is its home and working directory: the SQLite default and the e-mail outbox
# are relative paths, so they land there (and in the volume mounted there).
RUN groupadd --system --gid 10001 followup \
    && useradd --system --uid 10001 --gid followup --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin followup \
    && mkdir -p /data \
    && chown followup:followup /data

WORKDIR /src
# Only what the package build needs: pyproject.toml names README.md as the readme.
COPY pyproject.toml README.md ./
COPY followup/ followup/
COPY dialer/ dialer/
COPY webhooks/ webhooks/
# Installed as a regular (non-editable) package; the sources in /src are not used at run time.
RUN pip install --no-cache-dir .

WORKDIR /data
USER 10001:10001

EXPOSE 8080

# slim has no curl; any 2xx answer from the app (after redirects) counts as healthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/', timeout=4)"]

CMD ["followup", "serve", "--host", "0.0.0.0", "--port", "8080"]

# syntax=docker/dockerfile:1
# allybot's image: `docker build -t allybot .`, then `docker run --env-file .env allybot`
# (or compose.yaml, which runs several roles against one PostgreSQL).
#
# Two stages: the builder turns allybot and every dependency into wheels, with a compiler at
# hand for any dependency that has no wheel for this platform; the final image installs only
# those wheels, so it carries no compiler, no build tool and no pip cache.

FROM python:3.11-slim AS builder
RUN apt-get update \
    && apt-get install --yes --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the package is built from (.dockerignore keeps the rest out of the context).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY content ./content
COPY db ./db
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
# A user of its own with a fixed uid, so a mounted data folder's owner is predictable.
RUN groupadd --system --gid 10001 allybot \
    && useradd --system --uid 10001 --gid allybot --home-dir /var/lib/allybot \
       --shell /usr/sbin/nologin allybot \
    && install --directory --owner allybot --group allybot --mode 0700 /var/lib/allybot
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels allybot
USER allybot
# The SQLite default (data/allybot.sqlite3) lands here; mount a volume on it to keep it, or set
# DATABASE_URL to PostgreSQL (compose.yaml does).
WORKDIR /var/lib/allybot
# 8443: TELEGRAM_WEBHOOK_LISTEN (set it to 0.0.0.0:8443 in a container); 9464: METRICS_LISTEN.
EXPOSE 8443 8080 9464
# `allybot health` checks the database and every platform whose token is set; exit 1 is
# unhealthy. The start period covers migrations and the platforms' first answer.
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["allybot", "health"]
# docker stop sends SIGTERM: the bot stops gracefully within about 10 s (compose.yaml gives 30).
STOPSIGNAL SIGTERM
ENTRYPOINT ["allybot"]
CMD ["run"]

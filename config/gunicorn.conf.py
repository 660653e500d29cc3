"""Gunicorn in production, every setting from the environment:

gunicorn -c config/gunicorn.conf.py config.wsgi
"""

from __future__ import annotations

import gc
import os

from hearth.lib.settings_helpers import env_bool, env_int, env_str

_CORES = len(os.sched_getaffinity(0))

bind = env_str("HEARTH_BIND", "127.0.0.1:8001")
workers = env_int("WEB_CONCURRENCY", 2 * _CORES + 1)
worker_class = env_str("GUNICORN_WORKER_CLASS", "sync")
threads = env_int("GUNICORN_THREADS", 1)
# A request still running after this many seconds is stuck: its worker is replaced.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection stays open (gthread; sync workers close each one).
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Replace each worker after about this many requests, staggered by the jitter so they do not
# all restart together: bounds any slow memory growth.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# Import Django and every view once, in the master: workers fork ready, so neither the first
# request nor a replaced worker pays seconds of imports.
preload_app = env_bool("GUNICORN_PRELOAD", True)
# The proxy in front logs requests; "-" logs them to stdout here too.
accesslog = env_str("GUNICORN_ACCESS_LOG", "") or None
errorlog = "-"
loglevel = env_str("GUNICORN_LOG_LEVEL", "info")
# gunicornc's control socket: off unless given a path, since its default path is one per user
# and shared by every gunicorn that user runs.
control_socket = env_str("GUNICORN_CONTROL_SOCKET", "") or "gunicorn.ctl"
control_socket_disable = not env_str("GUNICORN_CONTROL_SOCKET", "")


def when_ready(server: object) -> None:
    # After the preload and before the first fork: Django imports views at the first request.
    if preload_app:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - the import is the point
        # Workers share this heap; frozen, their garbage collection and their exit leave it
        # alone instead of copying it page by page (a replaced worker: 0.1 s CPU, not 0.8 s).
        gc.freeze()

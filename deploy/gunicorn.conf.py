"""gunicorn configuration for phongdich: `gunicorn -c deploy/gunicorn.conf.py phongdich.wsgi` (docs/deploy.md).

Every value can be changed from the environment file without editing this one.
"""
import os

# Behind nginx on the same machine: listen on loopback only. In a container: PHONGDICH_BIND=0.0.0.0:8000.
bind = os.environ.get("PHONGDICH_BIND", "127.0.0.1:8000")
# Threads share a process's memory and the persistent database connection (DB_CONN_MAX_AGE); 2 processes × 4
# threads suit a 2-core server (docs/cases.md).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# Imports run in the background; an upload itself is buffered by nginx. Keep in step with nginx's proxy_read_timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 60
keepalive = 5
# Recycle workers now and then (bounded memory); jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Trust X-Forwarded-Proto/-For only from the proxy in front (nginx on loopback by default).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
# Logs to stderr (journald or the container runtime). The access log carries the request id nginx sets, the same id
# as in the application's records (core.logs).
errorlog = "-"
accesslog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
if os.environ.get("LOG_FORMAT", "json") == "json":
    access_log_format = (
        '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", "method": "%(m)s", '
        '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, "remote": "%(h)s"}'
    )
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms [%({x-request-id}o)s]'
# No query strings in the access log: searches carry names and ID numbers.

"""The production server's configuration, and the benchmark's view kept out of production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_VARIABLES = (
    "BIND",
    "PORT",
    "WEB_CONCURRENCY",
    "WEB_THREADS",
    "WEB_TIMEOUT",
    "WEB_GRACEFUL_TIMEOUT",
    "WEB_KEEPALIVE",
    "WEB_LOG_LEVEL",
    "WEB_MAX_REQUESTS",
    "WEB_PRELOAD",
    "ACCESS_LOG",
    "LOG_FORMAT",
    "FORWARDED_ALLOW_IPS",
    "WEB_CONTROL_SOCKET",
    "GUNICORN_CMD_ARGS",
)


def gunicorn_config(**environ):
    """gunicorn's settings, as it resolves cms/gunicorn.conf.py in this environment."""
    env = {key: value for key, value in os.environ.items() if key not in SERVER_VARIABLES}
    output = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "cms/gunicorn.conf.py",
            "--print-config",
            "cms.wsgi",
        ],
        cwd=ROOT,
        env={**env, **environ},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(
        (part.strip() for part in line.split("=", 1)) for line in output.splitlines() if "=" in line
    )


def test_the_server_defaults_suit_a_proxy_on_the_same_machine():
    config = gunicorn_config()

    assert config["bind"] == "['127.0.0.1:8000']"
    assert int(config["workers"]) == 2 * len(os.sched_getaffinity(0))
    assert config["worker_class"] == "sync"
    assert (config["max_requests"], config["max_requests_jitter"]) == ("10000", "1000")
    assert config["preload_app"] == "True"
    # The application logs each request as JSON (core.middleware.RequestLogMiddleware), and
    # gunicorn's own messages are JSON too.
    assert config["accesslog"] == "None"
    assert "core.logs.JsonFormatter" in config["logconfig_dict"]
    assert config["control_socket_disable"] == "True"
    # The access log names the path without its query string, and no Referer.
    log_format = config["access_log_format"]
    assert "%(U)s" in log_format
    assert not {"%(r)s", "%(q)s", "%(f)s", "%({referer}i)s"} & set(log_format.split())


def test_the_server_reads_the_environment():
    config = gunicorn_config(
        BIND="unix:/run/ukiyo/web.sock",
        WEB_CONCURRENCY="3",
        WEB_THREADS="4",
        WEB_TIMEOUT="12",
        WEB_MAX_REQUESTS="0",
        WEB_PRELOAD="off",
        ACCESS_LOG="on",
        FORWARDED_ALLOW_IPS="10.0.0.0/8",
    )

    assert config["bind"] == "['unix:/run/ukiyo/web.sock']"
    assert (config["workers"], config["threads"]) == ("3", "4")
    assert config["worker_class"] == "gthread"
    assert config["timeout"] == "12"
    assert (config["max_requests"], config["max_requests_jitter"]) == ("0", "0")
    assert config["preload_app"] == "False"
    # JSON logs (the default) with gunicorn's access log as well.
    assert config["accesslog"] == "-"
    assert config["forwarded_allow_ips"] == "['10.0.0.0/8']"


def test_text_logs_keep_gunicorns_access_log():
    config = gunicorn_config(LOG_FORMAT="text")

    assert config["accesslog"] == "-"
    assert config["logconfig_dict"] == "{}"


def test_a_platforms_port_is_bound_on_every_interface():
    assert gunicorn_config(PORT="5000")["bind"] == "['0.0.0.0:5000']"


def test_the_bare_view_is_not_a_production_url(client, home):
    # Outside the language prefix, LocaleMiddleware tries /ja/bench/bare/: no such page.
    response = client.get("/bench/bare/", follow=True)

    assert response.status_code == 404
    assert response.redirect_chain == [("/ja/bench/bare/", 302)]


def test_the_bench_settings_add_only_the_bare_view(client, settings, home):
    settings.ROOT_URLCONF = "cms.bench_urls"

    response = client.get("/bench/bare/")

    assert response.status_code == 200
    assert response.content == b"ukiyo\n"
    # Through the whole middleware stack: the security headers every answer gets.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert client.get("/ja/").status_code == 200


@pytest.mark.parametrize(
    ("module", "urlconf"),
    [("cms.settings.production", "cms.urls"), ("cms.settings.bench", "cms.bench_urls")],
)
def test_only_the_bench_settings_route_to_the_bare_view(module, urlconf):
    env = {
        **{key: value for key, value in os.environ.items() if key != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": module,
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "news.example",
    }
    output = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.ROOT_URLCONF)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert output.strip() == urlconf

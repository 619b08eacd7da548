"""``flask deploy-config``: the files come from the settings, nginx accepts the site, and README.md
shows exactly this output for its example settings."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from network.deploy import readme, render

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"


def test_readme_shows_exactly_what_deploy_config_writes():
    documented = readme.documented((ROOT / "README.md").read_text())
    assert set(documented) == set(readme.FENCES)
    expected = readme.expected()
    for kind in readme.FENCES:
        assert documented[kind] == expected[kind], (
            f"README.md's {kind} block differs: run python -m network.deploy.readme")


def test_the_site_passes_the_port_and_the_forwarded_headers_in_every_proxied_location():
    site = render.nginx(readme.example_config())
    for location in ("location / {", "location /socket.io/ {"):
        block = site.split(location, 1)[1].split("}", 1)[0]
        for header in ("Host $http_host", "X-Forwarded-Host $http_host",
                       "X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme"):
            assert f"proxy_set_header {header};" in block, (location, header)
    assert "alias /srv/network/storage/;" in site and "internal;" in site


def test_nginx_needs_a_proxy_count():
    config = {**readme.example_config(), "PROXY_COUNT": 0}
    with pytest.raises(render.DeployConfigError, match="PROXY_COUNT"):
        render.nginx(config)


def test_two_proxies_append_to_the_forwarded_scheme():
    site = render.nginx({**readme.example_config(), "PROXY_COUNT": 2})
    assert 'X-Forwarded-Proto "$http_x_forwarded_proto, $scheme"' in site


def test_without_x_accel_redirect_there_is_no_protected_location():
    site = render.nginx({**readme.example_config(), "X_ACCEL_REDIRECT_PREFIX": None})
    assert "internal;" not in site


def test_every_job_runs_under_a_lock_in_units_and_cron():
    config = readme.example_config()
    units = render.systemd_units(config)
    assert {"network-page@.service", "network-chat@.service", "network-send-mail.timer",
            "network-send-digests.timer", "network-events-send-reminders.timer",
            "network-events-purge-needs.timer"} <= set(units)
    for job in render.JOBS:
        lock = f"/usr/bin/flock --nonblock --conflict-exit-code 0 /run/lock/network-{job.command}.lock"
        assert lock in units[f"network-{job.command}.service"]
        assert lock in render.cron(config)
    assert "EnvironmentFile=/etc/network/env" in units["network-page@.service"]


def test_the_env_template_reads_back_as_the_same_settings():
    config = readme.example_config()
    lines = [line for line in render.env(config).splitlines() if line and not line.startswith("#")]
    values = dict(line.split("=", 1) for line in lines)
    assert values["SECRET_KEY"] == ""  # the operator fills it in; production refuses it empty
    assert values["PUBLIC_BASE_URL"] == "https://natverket.example.se"
    assert values["STORAGE_GROUP"] == "www-data" and values["PROXY_COUNT"] == "1"
    assert all("#" not in value for value in values.values())  # systemd takes no comments there


def test_the_cli_writes_the_units_into_a_folder(runner, tmp_path):
    result = runner.invoke(args=["deploy-config", "systemd", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "network-page@.service").read_text().startswith("[Unit]")
    assert "systemctl enable --now" in result.output


def test_the_cli_names_a_setting_that_cannot_work(runner, app):
    app.config["PROXY_COUNT"] = 0
    result = runner.invoke(args=["deploy-config", "nginx"])
    assert result.exit_code != 0 and "PROXY_COUNT" in result.output


def test_nginx_accepts_the_generated_site(tmp_path):
    if not Path(NGINX).exists() or not shutil.which("openssl"):
        from tests.conftest import service_missing

        service_missing("nginx (/usr/sbin/nginx) and openssl", "not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    config = {**readme.example_config(), "DEPLOY_TLS_CERT": str(cert), "DEPLOY_TLS_KEY": str(key),
              "DEPLOY_LISTEN": "127.0.0.1:1"}
    (tmp_path / "site.conf").write_text(render.nginx(config))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{ worker_connections 16; }}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n")
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

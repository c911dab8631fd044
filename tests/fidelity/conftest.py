"""Fixtures for the fidelity tests: the emulator as a real process, and
Microsoft's own clients pointed at it.

The emulator is started from its compiled binary (`target/debug/m365-emulator`,
the program the demo runs too), with its files in a throw-away folder.
Each test module gets its own emulator, so modules cannot see each other's
data; tests inside a module keep to their own items (own lists, folders and
calendar windows) so their order does not matter.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]

# The scopes Docket Sync asks for (crates/m365-emulator/src/world.rs
# DOCKET_SCOPES, without the OpenID ones MSAL adds by itself).
GRAPH_SCOPES = ["User.Read", "Calendars.ReadWrite", "Tasks.ReadWrite", "Contacts.ReadWrite"]

# Generous: on a loaded 2-core machine the debug build takes seconds to
# generate its keys.
READY_TIMEOUT_S = 60.0


@functools.cache
def _binary() -> Path:
    """The m365-emulator binary: $M365_EMULATOR_BIN (scripts/test.sh sets
    it to the binary it just built), else target/debug/m365-emulator, built
    once per session first (a no-op when it is up to date)."""
    explicit = os.environ.get("M365_EMULATOR_BIN")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO_ROOT / "target"))
    build = subprocess.run(
        ["cargo", "build", "--quiet", "-p", "m365-emulator", "--bin", "m365-emulator"],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        raise RuntimeError(f"`cargo build -p m365-emulator` failed:\n{build.stderr[-4000:]}")
    return target / "debug" / "m365-emulator"


@dataclass
class Emulator:
    """A running emulator, as its --ready-file describes it."""

    info: dict[str, Any]
    log_path: Path
    proc: subprocess.Popen = field(repr=False)

    @property
    def base_url(self) -> str:
        return self.info["base_url"].rstrip("/")

    @property
    def https_base_url(self) -> str:
        url = self.info.get("https_base_url")
        assert url, f"the emulator was started with --https but its ready file has no https_base_url: {self.info}"
        return url.rstrip("/")

    @property
    def ca_file(self) -> str:
        ca = self.info.get("ca_file")
        assert ca and Path(ca).is_file(), f"ready file names no readable ca_file: {self.info}"
        return ca

    @property
    def tenant_id(self) -> str:
        return self.info["tenant_id"]

    @property
    def public_client_id(self) -> str:
        return self.info["public_client_id"]

    def user(self, index: int = 0) -> dict[str, str]:
        return self.info["users"][index]

    def log_tail(self, lines: int = 40) -> str:
        """The end of the emulator's output, and any panic in it."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        panics = [line for line in text if "panicked at" in line]
        tail = "\n".join(text[-lines:])
        return ("panics:\n" + "\n".join(panics) + "\n---\n" + tail) if panics else tail

    def admin_token(self, upn: str, scopes: list[str] | None = None) -> str:
        """An access token for Graph minted by the emulator's test route
        `POST /_admin/tokens` (no sign-in): for Graph-only tests."""
        resp = requests.post(
            f"{self.base_url}/_admin/tokens",
            json={"upn": upn, "scopes": scopes or GRAPH_SCOPES},
            timeout=30,
        )
        assert resp.status_code == 200, (
            f"POST /_admin/tokens answered {resp.status_code}: {resp.text[:300]}"
        )
        token = resp.json().get("access_token")
        assert token, "POST /_admin/tokens returned no access_token"
        return token


def _start_emulator(workdir: Path) -> Emulator:
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    ready = workdir / "ready.json"
    log_path = workdir / "emulator.log"
    # Panics print their message and place; a backtrace would push them out
    # of the log tail shown on failure.
    env = dict(os.environ, RUST_BACKTRACE="0")
    try:
        binary = _binary()
    except RuntimeError as err:
        pytest.fail(str(err), pytrace=False)
    cmd = [
        str(binary), "--port", "0", "--https", "--https-port", "0",
        "--ready-file", str(ready), "--dir", str(home),
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
        )
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if ready.exists():
            try:
                info = json.loads(ready.read_text())
            except json.JSONDecodeError:
                info = None  # still being written
            if info is not None:
                emulator = Emulator(info=info, log_path=log_path, proc=proc)
                _wait_for_signing_key(emulator)
                return emulator
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:]
            pytest.fail(f"`{' '.join(cmd)}` exited with {proc.returncode} before it was ready:\n{tail}")
        if time.monotonic() > deadline:
            _stop(proc)
            pytest.fail(f"the emulator wrote no ready file within {READY_TIMEOUT_S}s: {cmd}")
        time.sleep(0.05)


def _wait_for_signing_key(emulator: Emulator) -> None:
    """The emulator makes its RSA signing key on a background thread at
    start; the first request that needs it waits. Fetch the JWKS once, with
    room for a busy machine, so that no test's own timeout pays for it."""
    tenant = emulator.info.get("tenant_id", "common")
    requests.get(f"{emulator.base_url}/{tenant}/discovery/v2.0/keys", timeout=120)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session", autouse=True)
def _explicit_tls_trust():
    """requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the
    environment override a Session's `verify` (psf/requests#3829), which
    is how MSAL passes its `verify`. Many machines set them to the system
    bundle; remove them for the tests so that trusting the emulator's CA
    stays explicit."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            mp.delenv(name, raising=False)
        yield


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory):
    emu = _start_emulator(tmp_path_factory.mktemp("emulator"))
    try:
        yield emu
    finally:
        _stop(emu.proc)


# --- the Microsoft Graph SDK --------------------------------------------------


def graph_client(emulator: Emulator, access_token: str):
    """A `GraphServiceClient` as an app would build it with its own token
    provider: Bearer authentication limited to the emulator's host, the base
    URL overridden to the emulator's `/v1.0` over HTTPS (the address its
    `@odata.nextLink`s use when it serves HTTPS) trusting the emulator's CA,
    and the SDK's default middleware (retry, redirect, `/me` URL
    replacement) left on."""
    import httpx
    from kiota_abstractions.authentication import (
        AccessTokenProvider,
        AllowedHostsValidator,
        BaseBearerTokenAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph.graph_request_adapter import options as sdk_default_options
    from msgraph_core import GraphClientFactory

    base = emulator.https_base_url
    host = urlsplit(base).hostname

    class StaticTokenProvider(AccessTokenProvider):
        def __init__(self) -> None:
            self._hosts = AllowedHostsValidator([host])

        async def get_authorization_token(self, uri: str, additional_authentication_context: dict | None = None) -> str:
            # Only ever hand the token to the allowed host, as the SDK's own
            # providers do.
            return access_token if self._hosts.is_url_host_valid(uri) else ""

        def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
            return self._hosts

    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(verify=emulator.ca_file, http2=True, timeout=30),
        options=sdk_default_options,
    )
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticTokenProvider()), client=http)
    adapter.base_url = f"{base}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


@pytest.fixture
def graph(emulator: Emulator):
    """A Graph SDK client for the first demo user (Anna Berger)."""
    return graph_client(emulator, emulator.admin_token(emulator.user(0)["upn"]))


# --- async tests without a plugin -----------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    """Run `async def` tests in a fresh event loop each. The SDK's httpx
    client is closed in the same loop, after the test."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}

    async def run() -> None:
        try:
            await pyfuncitem.obj(**kwargs)
        finally:
            for value in kwargs.values():
                adapter = getattr(value, "request_adapter", None)
                client = getattr(adapter, "_http_client", None)
                if client is not None:
                    await client.aclose()

    asyncio.run(run())
    return True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """On a failure, attach the tail of the emulator's log to the report."""
    outcome = yield
    report = outcome.get_result()
    emu = getattr(item, "funcargs", {}).get("emulator")
    if report.failed and isinstance(emu, Emulator):
        report.sections.append(("emulator log (tail)", emu.log_tail()))

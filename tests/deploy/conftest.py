"""One production stack for the session: deploy/install's configs, nginx → two jobfair nodes →
the session's Redis, and coturn; pages reach it at https://127.0.0.1:<port> through a Chromium
that trusts the test CA."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.people import People
from server.auth import Tokens
from tests.browser.conftest import ARGS, CHROMIUM
from tests.clients import Fixture
from tests.deploy.stack import Coturn, Nginx, TestCA, host_address, install, read_env
from tests.procs import Node, RedisProcess, free_port


def free_pair() -> int:
    """A free port whose successor is free too (the second node's)."""
    while True:
        port = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


@dataclass
class Stack:
    root: Path
    ca: TestCA
    env: dict[str, str]  # the install's env file
    node_env: dict[str, str]  # what it wrote for the nodes
    nginx: Nginx
    coturn: Coturn
    nodes: list[Node] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.env['HTTPS_PORT']}"


def stack_env(ca: TestCA) -> dict[str, str]:
    relay = free_port()
    return {
        "DOMAIN": "127.0.0.1",
        "TURN_DOMAIN": "localhost",
        "TLS_CERT": str(ca.cert),
        "TLS_KEY": str(ca.key),
        "PUBLIC_IP": host_address(),
        "PRIVATE_IP": host_address(),
        "NODES": "2",
        "HTTP_PORT": str(free_port()),
        "HTTPS_PORT": str(free_port()),
        "TURN_PORT": str(free_port()),
        "NODE_PORT": str(free_pair()),
        "WEB_PORT": str(free_port()),
        "TURNS_PORT": str(free_pair()),
        "RTC_PORTS": "40000-44999",
        "RELAY_PORTS": f"{relay}-{relay + 200}",
    }


@pytest.fixture(scope="session")
def stack(redis_server: RedisProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp("stack")
    ca = TestCA.make(base / "ca")
    env = stack_env(ca)
    root = base / "root"
    done = install(root, env)
    assert done.returncode == 0, done.stderr
    node_env = read_env(root, "/etc/jobfair/node.env")
    coturn = Coturn(root, int(env["TURN_PORT"]))
    nginx = Nginx(root, int(env["HTTPS_PORT"]))
    made = Stack(root, ca, env, node_env, nginx, coturn)
    try:
        coturn.start()
        passed = {
            k: v
            for k, v in node_env.items()
            if k not in ("REDIS_URL", "JOBFAIR_DATA_DIR", "JOBFAIR_SECRET")  # tests' own
        }
        for n in range(2):
            node = Node(base / f"node{n}", redis_server.url, **passed)
            node.port = int(env["NODE_PORT"]) + n
            made.nodes.append(node.start())
        nginx.start()
        yield made
    finally:
        nginx.stop()
        for node in made.nodes:
            node.stop()
        coturn.stop()


@pytest.fixture
async def sfx(
    stack: Stack, redis: Redis, fairs: Fairs, people: People, tokens: Tokens
) -> AsyncIterator[Fixture]:
    """The usual fair, on a clean Redis, with links through nginx."""
    fixture = await Fixture.build(fairs, people, tokens, stack.url)
    yield fixture
    await fixture.aclose()


@pytest.fixture(scope="session")
def chromium_home(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A HOME whose NSS database trusts the test CA: Chromium verifies HTTPS, not waves it
    through (no --ignore-certificate-errors)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/test, which installs it")
    home = tmp_path_factory.mktemp("chromium-home")
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(["certutil", "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "jobfair-test-ca",
         "-i", str(stack.ca.ca)],
        check=True,
    )  # fmt: skip
    return home


@pytest.fixture(scope="session")
async def trusting_browser(chromium_home: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=ARGS, headless=True, env={"HOME": str(chromium_home)}
        )
        yield browser
        await browser.close()

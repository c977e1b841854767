"""`ptrcm serve`: the web app and JSON API on one host and port, run by uvicorn.

Everyone signs in (users: `ptrcm users`; integrations: `ptrcm tokens`); the organization is
the session's or the token's. The access log (one line per request, ids only, no query
strings) goes to stderr with uvicorn's own lines. TLS is served with --ssl-certfile and
--ssl-keyfile, or by a reverse proxy in front (--forwarded-allow-ips names it, so the
client's address and https are taken from its X-Forwarded-* headers): see docs/security.md.
Listening anywhere but loopback without either warns loudly: passwords, session cookies
and PHI would cross the network in clear text. ``--workers N`` runs N processes on the one
port (uvicorn's supervisor); each has its own connections and read cache, and sessions and
the cache's invalidation are in the database, so any worker answers any request.
"""

from __future__ import annotations

import contextlib
import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ptrcm.cli_support import fail, opened
from ptrcm.commands.options import Config, Db

if TYPE_CHECKING:
    import socket

    from ptrcm.web.deps import WebSettings

PORT_HELP = "TCP port (default 8000)."
PROXY_HELP = (
    "Addresses of a TLS-terminating reverse proxy whose X-Forwarded-For/-Proto headers are"
    " trusted (comma-separated, e.g. 127.0.0.1)."
)
CREDENTIALS_HELP = (
    "Demo mode: the file of the demo's generated passwords, named (never shown) on the"
    " sign-in page."
)
WORKERS_HELP = (
    "Worker processes serving the one port (default 1). Sessions and the read cache's"
    " invalidation live in the database, so any worker can answer any request."
)
WORKER_ENV = "PTRCM_SERVE_WORKER"  # the settings' inputs, for each worker process
PLAIN_TEXT_WARNING = """\
ptrcm: WARNING: listening on {host} without TLS.
ptrcm: WARNING: passwords, session cookies and patient data would cross the network in
ptrcm: WARNING: clear text. Serve TLS (--ssl-certfile/--ssl-keyfile), or listen on
ptrcm: WARNING: 127.0.0.1 behind a TLS reverse proxy (--forwarded-allow-ips); see
ptrcm: WARNING: docs/security.md."""


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=PORT_HELP, min=1, max=65535)] = 8000,
    db: Db = None,
    config: Config = None,
    ssl_certfile: Annotated[str | None, typer.Option(help="TLS certificate (PEM).")] = None,
    ssl_keyfile: Annotated[str | None, typer.Option(help="TLS private key (PEM).")] = None,
    forwarded_allow_ips: Annotated[str | None, typer.Option(help=PROXY_HELP)] = None,
    demo_credentials: Annotated[str | None, typer.Option(help=CREDENTIALS_HELP)] = None,
    workers: Annotated[int, typer.Option(help=WORKERS_HELP, min=1, max=64)] = 1,
) -> None:
    """Serve the dashboard, work queues and JSON API (OpenAPI at /api/openapi.json) to
    signed-in users and API tokens.

    The port is checked before anything is printed: when it is taken, the command says so
    and exits 2 (choose another with --port).
    """
    import uvicorn

    from ptrcm.cli_support import err

    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise fail("--ssl-certfile and --ssl-keyfile go together")
    settings = _settings(config, db, demo_credentials)
    listener = _bind(host, port)
    tls = ssl_certfile is not None
    if not tls and forwarded_allow_ips is None and not _loopback(host):
        err.print(PLAIN_TEXT_WARNING.format(host=host), markup=False)
    scheme = "https" if tls else "http"
    many = f" with {workers} workers" if workers > 1 else ""
    err.print(f"ptrcm: serving on {scheme}://{host}:{port}/{many} (Ctrl+C to stop)", markup=False)
    if settings.credentials_file:
        err.print(
            f"ptrcm: demo sign-in: user names and passwords in {settings.credentials_file}",
            markup=False,
        )
    options: dict[str, Any] = dict(
        host=host, port=port, log_level="info", access_log=False, log_config=log_config(),
        ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
        proxy_headers=forwarded_allow_ips is not None, forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
    )  # fmt: skip
    try:
        if workers == 1:  # uvicorn serves on the socket bound above, not on a bind of its own
            from ptrcm.web.app import create_app

            # The socket itself, not its fd: uvicorn wraps an fd as AF_UNIX, so asyncio
            # left TCP_NODELAY off and every keep-alive answer waited ~40 ms for an ACK.
            server = uvicorn.Server(uvicorn.Config(create_app(settings), **options))
            with contextlib.suppress(KeyboardInterrupt):
                server.run(sockets=[listener])
            if not server.started:
                raise typer.Exit(3)  # uvicorn's STARTUP_FAILURE
        else:
            _serve_workers(workers, listener, options, (config, db, demo_credentials))
    finally:
        listener.close()


def _settings(config: str | None, db: str | None, demo_credentials: str | None) -> WebSettings:
    """The web settings from the command line (also rebuilt so in each worker process)."""
    from ptrcm.services.access.policy import AccessError, policy_from
    from ptrcm.web.deps import WebSettings

    with opened(config=config, db=db) as root:
        _ = root.store  # a mistyped --db stops here, naming the path
        try:
            policy = policy_from(root.config.security)
        except AccessError as exc:
            raise fail(f"{root.config.source}: {exc}") from None
        shown = demo_credentials if demo_credentials and Path(demo_credentials).is_file() else None
        return WebSettings(
            root.database_url, root.config.clinic.name, root.clock.today, root.config,
            policy, shown,
        )  # fmt: skip


def _serve_workers(
    workers: int, listener: socket.socket, options: dict[str, Any], inputs: tuple[Any, ...]
) -> None:
    """``workers`` processes on ``listener``'s port, each building its own app (own store
    connections, own read cache) through ``worker_app``, each accepting on its own socket
    of a ``SO_REUSEPORT`` group on Linux (elsewhere all on ``listener``); uvicorn's
    supervisor restarts a worker that dies."""
    import json
    import os

    import uvicorn
    from uvicorn.supervisors import Multiprocess
    from uvicorn.supervisors.multiprocess import Process, logger

    os.environ[WORKER_ENV] = json.dumps(inputs)
    config = uvicorn.Config(
        "ptrcm.commands.serve:worker_app", factory=True, workers=workers, **options
    )
    group = _port_group(listener, workers)
    if len(group) == 1:
        Multiprocess(config, sockets=group).run()
        return

    class OneSocketEach(Multiprocess):
        """Worker *i* accepts on socket *i* of a ``SO_REUSEPORT`` group, so the kernel
        spreads new connections evenly over the workers. On one shared socket the worker
        that wakes first takes the connection, and keep-alive keeps it there: measured
        with 50 clients and 4 workers, one worker held 33 of the 50 connections and its
        clients made the p95. A worker started later (after a crash, or on SIGHUP) gets
        every socket of the group, so none is left without a worker."""

        def init_processes(self) -> None:
            for own in self.sockets:
                process = Process(self.config, [own])
                process.start()
                self.processes.append(process)

        def handle_ttou(self) -> None:  # a retired worker's socket would have no one
            logger.info("Received SIGTTOU: ptrcm serve keeps its --workers processes.")

    try:
        OneSocketEach(config, sockets=group).run()
    finally:
        for member in group:
            member.close()


def _port_group(listener: socket.socket, size: int) -> list[socket.socket]:
    """``size`` sockets listening on ``listener``'s address as one ``SO_REUSEPORT`` group
    (Linux balances new connections over such a group), in place of ``listener``; or
    ``[listener]`` itself where the system does not balance them. ``listener`` proved
    the port free (a group bound from the start could join another program's group);
    it is closed and the group bound at once."""
    import socket as sockets
    import sys

    if not sys.platform.startswith("linux") or not hasattr(sockets, "SO_REUSEPORT"):
        return [listener]
    address, family, kind, proto = (listener.getsockname(), listener.family, listener.type,
                                    listener.proto)  # fmt: skip
    listener.close()
    group: list[socket.socket] = []
    try:
        for _ in range(size):
            member = sockets.socket(family, kind, proto)
            group.append(member)
            member.setsockopt(sockets.SOL_SOCKET, sockets.SO_REUSEADDR, 1)
            member.setsockopt(sockets.SOL_SOCKET, sockets.SO_REUSEPORT, 1)
            member.bind(address)
            member.listen(2048)
            member.set_inheritable(True)
    except OSError as exc:
        for member in group:
            member.close()
        raise fail(f"cannot listen on port {address[1]} ({exc.strerror})") from None
    return group


def worker_app() -> Any:
    """The app of one worker process of ``serve --workers``."""
    import json
    import os

    from ptrcm.web.app import create_app

    config, db, demo_credentials = json.loads(os.environ[WORKER_ENV])
    return create_app(_settings(config, db, demo_credentials))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus ptrcm's loggers (``ptrcm.access``: one line per request;
    ``ptrcm.web``: error ids) on stderr. uvicorn's own access log stays off: it prints
    query strings."""
    from copy import deepcopy

    from uvicorn.config import LOGGING_CONFIG

    config = deepcopy(LOGGING_CONFIG)
    config["formatters"]["ptrcm"] = {"format": "%(asctime)s %(name)s %(message)s"}
    config["handlers"]["ptrcm"] = {
        "formatter": "ptrcm", "class": "logging.StreamHandler", "stream": "ext://sys.stderr",
    }  # fmt: skip
    config["loggers"]["ptrcm"] = {"handlers": ["ptrcm"], "level": "INFO", "propagate": False}
    return config


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the app is built, so a taken port is one clear
    line (exit 2) rather than a startup banner followed by uvicorn's failure."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise fail(f"--host {host!r}: cannot listen there ({exc.strerror})") from None
    family, kind, proto, _name, address = infos[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        other = port + 1 if port < 65535 else 8001
        if exc.errno == errno.EADDRINUSE:
            reason = f"port {port} on {host} is already in use by another program"
        else:
            reason = f"cannot listen on {host} port {port} ({exc.strerror})"
        raise fail(f"{reason}; choose another port with --port, e.g. --port {other}") from None
    listener.set_inheritable(True)
    return listener

"""`ptrcm serve`: the web app and JSON API on one host and port, run by uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ptrcm.cli_support import DEFAULT_ORG, fail, opened
from ptrcm.commands.options import Config, Db, Org

if TYPE_CHECKING:
    import socket

PORT_HELP = "TCP port (default 8000)."


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=PORT_HELP, min=1, max=65535)] = 8000,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Serve the dashboard, work queues and JSON API (OpenAPI at /api/openapi.json) over the
    organization's stored data; while it has none, every page says how to load some.

    The port is checked before anything is printed: when it is taken, the command says so
    and exits 2 (choose another with --port).
    """
    import uvicorn

    from ptrcm.cli_support import err
    from ptrcm.web.app import create_app
    from ptrcm.web.deps import WebSettings

    with opened(config=config, db=db, org=org) as root:
        _ = root.store  # a mistyped --db stops here, naming the path
        clinic = root.config.clinic
        settings = WebSettings(root.database_url, clinic.name, root.clock.today, org, root.config)
    listener = _bind(host, port)
    app = create_app(settings)
    if not app.state.data.status.has_data():
        err.print(
            f"ptrcm: no data for organization {org!r} yet: run `ptrcm demo` or"
            " `ptrcm import visits FILE`",
            markup=False,
        )
    err.print(f"ptrcm: serving on http://{host}:{port}/ (Ctrl+C to stop)", markup=False)
    try:  # uvicorn serves on the socket bound above (fd), not on a second bind of its own
        uvicorn.run(app, host=host, port=port, fd=listener.fileno(), log_level="info",
                    access_log=False)  # fmt: skip
    finally:
        listener.close()


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

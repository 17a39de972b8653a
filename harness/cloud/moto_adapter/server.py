"""moto's server side: the WSGI dispatcher the edge falls back to, its request handler, and reset."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from werkzeug.serving import WSGIRequestHandler


def dispatcher() -> Callable[..., Iterable[bytes]]:
    """moto's WSGI app that picks a service backend from each request (as ``moto_server`` runs it)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def request_handler() -> type[WSGIRequestHandler]:
    """moto's werkzeug request handler class."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    return MotoRequestHandler


def reset_backends() -> None:
    """Empty every moto backend in this process, as ``POST /moto-api/reset`` does."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()

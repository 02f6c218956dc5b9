"""Joining Ray: a cluster at an address, the one RAY_ADDRESS names, or a local one.

Ray is imported here and in the modules that need it, never at summarizer's import: the
core install runs without it, and `summarizer --help` stays fast.
"""

from __future__ import annotations

import logging
import os
import socket
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from summarizer.errors import ConfigError
from summarizer.scaleout.options import RAY_EXTRA_HINT

# Seconds to wait for a cluster's address to accept a connection.
CONNECT_SECONDS = 5.0


def import_ray() -> ModuleType:
    """The `ray` module with Ray Data, or ConfigError saying how to install it."""
    try:
        import ray
        import ray.data  # Ray Data is what the run needs (ray[data] has it)
    except ImportError:
        raise ConfigError("ray", "Ray is not installed", hint=RAY_EXTRA_HINT) from None
    # Typed here so that mypy passes without the ray extra too (ray is then Any).
    module: ModuleType = ray
    return module


@contextmanager
def connected(address: str | None) -> Iterator[ModuleType]:
    """Ray, initialized for the block: joined at `address` (None: RAY_ADDRESS, else the
    latest cluster started on this machine, else a new local Ray, as `ray.init` does).

    A Ray this process had already initialized (a notebook, a test session) is used as
    it is and left running; one initialized here is shut down after the block (a local
    Ray stops with it, a cluster goes on).
    """
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    check_reachable(address if address is not None else os.environ.get("RAY_ADDRESS"))
    try:
        # Workers' output is not echoed here: results come back as rows, problems as
        # errors; Ray's own notices (token authentication, tips about future defaults
        # for GPUs, which the actors do not use) stay out of the batch's output.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    except (ConnectionError, ValueError, RuntimeError, ray.exceptions.RayError) as exc:
        where = f"at {address}" if address else "(RAY_ADDRESS, or a local one)"
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(
            "ray-address",
            f"cannot join a Ray cluster {where}: {reason}",
            hint="check the address (`ray status` on the head node prints it), or leave "
            "--ray-address out for a local Ray",
        ) from None
    try:
        yield ray
    finally:
        ray.shutdown()


def check_reachable(address: str | None) -> None:
    """ConfigError at once when nothing listens at a cluster's `host:port`: `ray.init`
    would wait for minutes. ("auto", "local" and no address are left to Ray.)"""
    if not address or address in ("auto", "local"):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # not host:port: Ray says what is wrong with it
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS):
            pass
    except OSError as exc:
        raise ConfigError(
            "ray-address",
            f"nothing answers at {address} ({exc.strerror or exc})",
            hint="check the address (`ray status` on the head node prints it), or leave "
            "--ray-address and RAY_ADDRESS out for a local Ray",
        ) from None


def quiet_ray_data() -> None:
    """Ray Data's progress bars and INFO lines off the terminal: the batch prints its own
    progress. (Ray Data still writes its full log to the session's log folder.)"""
    import ray.data

    ray.data.DataContext.get_current().enable_progress_bars = False
    for handler in logging.getLogger("ray.data").handlers:
        if not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.WARNING)
    # Which says that the progress bars just turned off are off.
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)


def cluster_cpus(ray: ModuleType) -> float:
    """CPUs the cluster has (at least 1)."""
    cpus = float(ray.cluster_resources().get("CPU", 1.0))
    return max(1.0, cpus)

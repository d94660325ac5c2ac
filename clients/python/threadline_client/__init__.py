"""A small synchronous Python client for the Threadline JSON-RPC server (standard library only)."""
from ._base import ServerExitedError, ThreadlineError
from .client import ThreadlineClient
from .errors import *  # noqa: F401,F403 - one exception class per error code
from .errors import ERROR_CLASSES, error_from_response
from .types import EVENT_TYPES, METHODS, PROTOCOL_VERSION

__all__ = [
    "ThreadlineClient",
    "ThreadlineError",
    "ServerExitedError",
    "ERROR_CLASSES",
    "error_from_response",
    "EVENT_TYPES",
    "METHODS",
    "PROTOCOL_VERSION",
]
__all__ += [name for name in dir() if name.endswith("Error") and name not in __all__]

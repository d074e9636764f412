"""A named registry of backend classes for one device family, selected by configuration."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
C = TypeVar("C", bound=Callable[..., Any])


class BackendRegistry(Generic[T]):
    """Maps backend names (``devices.<role>.backend`` in the config) to backend classes.

    Registration is explicit: a backend module decorates its class with :meth:`register`, and the
    family package announces each backend with :meth:`register_lazy` (``"module:Class"``) so the
    backend's libraries (OpenCV, python-escpos, ...) load only when that backend is used: a
    terminal starts without importing drivers it does not run. No discovery by module name, so a
    frozen build lists every backend module explicitly. Thread-safe for reading once the family
    package has been imported.
    """

    def __init__(self, family: str) -> None:
        self.family = family
        self._factories: dict[str, Callable[..., T] | str] = {}

    def register(self, name: str) -> Callable[[C], C]:
        """Class decorator: register the decorated backend class under ``name``."""

        def decorator(factory: C) -> C:
            existing = self._factories.get(name)
            if existing is not None and not isinstance(existing, str):
                raise ValueError(f"{self.family} backend {name!r} is already registered")
            self._factories[name] = factory
            return factory

        return decorator

    def register_lazy(self, name: str, target: str) -> None:
        """Announce backend ``name`` as ``"package.module:Class"``, imported on first use."""
        if name in self._factories:
            raise ValueError(f"{self.family} backend {name!r} is already registered")
        self._factories[name] = target

    def names(self) -> list[str]:
        """The registered backend names, sorted."""
        return sorted(self._factories)

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    def backend_class(self, name: str) -> Callable[..., T]:
        """The class registered under ``name``; unknown names raise a :class:`ValueError`."""
        try:
            factory = self._factories[name]
        except KeyError:
            known = ", ".join(self.names()) or "(none)"
            raise ValueError(
                f"unknown {self.family} backend {name!r}; known backends: {known}"
            ) from None
        if isinstance(factory, str):
            module_name, _, attribute = factory.partition(":")
            # Importing the module runs its @register, which replaces the announcement.
            factory = getattr(importlib.import_module(module_name), attribute)
            self._factories[name] = factory
        return factory

    def create(self, name: str, **options: Any) -> T:
        """Construct backend ``name`` with ``options`` (no I/O happens: call ``open()`` next).

        Raises :class:`ValueError` naming the known backends for an unknown name, and naming the
        accepted options when ``options`` does not fit the backend's constructor.
        """
        factory = self.backend_class(name)
        try:
            inspect.signature(factory).bind(**options)
        except TypeError as exc:
            accepted = ", ".join(
                p for p in inspect.signature(factory).parameters if p not in ("args", "kwargs")
            )
            raise ValueError(
                f"{self.family} backend {name!r}: {exc}; accepted options: {accepted or '(none)'}"
            ) from None
        return factory(**options)

"""Library patches that take effect only inside the pipeline's own calls.

Some of what GB/T 9704 asks cannot be had through WeasyPrint's public API (Chinese line
justification, the 22-row grid, compact CID-keyed CFF embedding). The functions doing it live in
``pipeline.pdf.lines``, ``pipeline.pdf.grid`` and ``pipeline.pdf.embedding``;
``pipeline.pdf.weasyprint_hooks`` lists, in one place,
where each is bound into WeasyPrint. This module does the binding, scoped:

- ``patched(hooks)`` binds a dispatcher in place of each original when the first caller enters
  and puts the originals back when the last one leaves (callers may overlap in threads);
- a dispatcher runs the replacement only in the context that entered (a ``ContextVar``): a
  WeasyPrint render in another thread meanwhile, or anywhere before or after, runs the original;
- each hook counts the calls its replacement served, so a test can assert that every hook still
  fires on the pinned library version, and fail naming the one that no longer does.

Importing the package changes nothing in any library.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_active: ContextVar[bool] = ContextVar("pipeline_hooks_active", default=False)
_MISSING = object()


class Hook:
    """``owner.name`` replaced by ``replacement`` (a function, or a property) inside ``patched``."""

    def __init__(self, owner: Any, name: str, replacement: Any) -> None:
        self.owner, self.name, self.replacement = owner, name, replacement
        self.calls = 0
        self._saved: Any = _MISSING

    def __repr__(self) -> str:
        return f"{getattr(self.owner, '__name__', self.owner)}.{self.name}"

    @property
    def original(self) -> Any:
        """What the library has (or had before it was bound)."""
        saved = self._saved
        if saved is not _MISSING:
            return saved
        return self.owner.__dict__.get(self.name) if isinstance(self.owner, type) else getattr(self.owner, self.name)

    def bind(self) -> None:
        self._saved = self.original
        setattr(self.owner, self.name, self._dispatcher(self._saved))

    def unbind(self) -> None:
        if self._saved is None and isinstance(self.owner, type):
            delattr(self.owner, self.name)  # an instance attribute the class did not define
        else:
            setattr(self.owner, self.name, self._saved)
        self._saved = _MISSING

    def _dispatcher(self, original: Any) -> Any:
        if isinstance(self.replacement, property):
            return self._property(original)
        replacement = self.replacement

        def dispatch(*args: Any, **kwargs: Any) -> Any:
            if _active.get():
                self.calls += 1
                return replacement(*args, **kwargs)
            return original(*args, **kwargs)

        return functools.wraps(original)(dispatch)

    def _property(self, original: property | None) -> property:
        replacement, name = self.replacement, self.name

        def get(obj: Any) -> Any:
            if _active.get():
                self.calls += 1
                return replacement.fget(obj)
            return original.fget(obj) if original is not None else obj.__dict__[name]

        def set_(obj: Any, value: Any) -> None:
            if _active.get() and replacement.fset is not None:
                replacement.fset(obj, value)
            elif original is not None and original.fset is not None:
                original.fset(obj, value)
            else:
                obj.__dict__[name] = value  # a plain instance attribute, as without the hook

        return property(get, set_)


_lock = threading.Lock()
_users: dict[int, int] = {}  # id of a hook list -> how many callers are inside


@contextmanager
def patched(hooks: Sequence[Hook]) -> Iterator[None]:
    """Run the block with ``hooks`` in effect for this context only."""
    key = id(hooks)
    with _lock:
        if not _users.get(key):
            for hook in hooks:
                hook.bind()
        _users[key] = _users.get(key, 0) + 1
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)
        with _lock:
            _users[key] -= 1
            if not _users[key]:
                for hook in reversed(hooks):
                    hook.unbind()


def active() -> bool:
    """Whether the calling context is inside ``patched``."""
    return _active.get()

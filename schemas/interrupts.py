"""What an interruption looks like by the time it reaches a flow or a command: the signal's
KeyboardInterrupt itself, or an error of its own that code under us raised while handling it.
No imports beyond the standard library, so a command can ask before Prefect is loaded."""

from __future__ import annotations


def interrupt_in(exc: BaseException) -> bool:
    """Whether `exc` is a signal's KeyboardInterrupt or has one among its causes and contexts
    (`__cause__`, else `__context__`, followed to the end, each exception once). Code under us
    turns a KeyboardInterrupt into its own error: pydantic-core's serializer raises
    "PydanticSerializationError: ... KeyboardInterrupt" when Ctrl-C lands while Prefect dumps its
    settings, and Prefect's task engine raises "ValueError: Task run is not set" when Ctrl-C lands
    while it creates a task run (its handler then finds no task run to set the state of)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False

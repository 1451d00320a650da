"""Keys typed ahead are handled one after another, each where the focus is when it is read.

Textual reads a key, hands it to the focused widget's message queue and reads the next key at
once. A key that moves the focus (enter in a form field, tab, a binding that opens a field or a
screen) only does so later, in another queue: keys typed quickly behind it were already handed
to the old field (issue 17: a morning log typed at 40 ms a key saved latency 201). Here the App
holds each key back until the one before it has been handled everywhere it went: through the
widget it was given to and up to its screen, through any binding it ran on the App, and through
the queues those steps posted to (a focus change, a Submitted message, a pushed screen). A burst
of keys then gives the same result as slow typing. A key that is not done within
`KEY_WAIT_SECONDS` lets the next one go: a busy widget can make typing slow, never deaf.
"""

from __future__ import annotations

from collections import deque
from time import monotonic
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen

if TYPE_CHECKING:
    from textual.message_pump import MessagePump
    from textual.timer import Timer


class KeysInOrder(App[int]):
    """An App that reads the next key only when the last one has been handled."""

    KEY_WAIT_SECONDS = 1.0
    """How long a key may hold the ones behind it (a handler stuck on something else)."""

    KEY_WALK_REPEAT = 8
    """How many times a step waits behind messages that arrived in the same queue meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self._keys_waiting: deque[events.Key | events.Paste] = deque()
        self._key_in_flight: events.Key | events.Paste | None = None
        self._key_target: MessagePump | None = None  # the widget (or screen) the key was given to
        self._key_walks = 0  # walks up the DOM still running for the key in flight
        self._key_since = 0.0
        self._key_watchdog: Timer | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._keys_waiting.append(event)  # from the terminal (or Pilot): in turn, pastes too
            if self._key_in_flight is None:
                await self._next_key()
            elif self._key_watchdog is None:
                self._key_watchdog = self.set_timer(self.KEY_WAIT_SECONDS, self._key_overdue)
            return
        await super().on_event(event)
        if event is self._key_in_flight and self._key_target is not None:
            # It bubbled back up and ran an App binding: follow what that binding started.
            self._walk(self._key_target)

    async def _next_key(self) -> None:
        while self._keys_waiting and self._key_in_flight is None:
            key = self._keys_waiting.popleft()
            self._key_in_flight, self._key_since = key, monotonic()
            target = self.focused or self.screen  # where Textual forwards a key no priority binding took
            await super().on_event(key)
            self._key_target = target if key.is_forwarded else (self.focused or self.screen)
            self._walk(self._key_target)
            if self._keys_waiting and self._key_watchdog is None:
                self._key_watchdog = self.set_timer(self.KEY_WAIT_SECONDS, self._key_overdue)

    def _walk(self, node: MessagePump) -> None:
        """Follow `node`'s queue, then each parent's up to the screen, then the front screen's and
        the App's: a callback queued behind a message runs after it was handled."""
        key = self._key_in_flight
        self._key_walks += 1

        def step(at: MessagePump, again: int = 0) -> None:
            if key is not self._key_in_flight:
                return
            if at.message_queue_size and again < self.KEY_WALK_REPEAT and at.call_later(step, at, again + 1):
                return  # a handler posted to its own widget (DoseForm.Submitted): after that too
            parent = at.parent if isinstance(at, DOMNode) else None
            if isinstance(at, Screen) or parent is None or parent is self:
                # The front screen (maybe one just pushed, mounting) and then the App's own queue,
                # where focus changes wait (Widget.focus goes through App.call_later).
                front = self.screen_stack[-1] if self.screen_stack else None  # none while closing
                if front is None or not front.call_later(lambda: self.call_later(self._walk_done, key)):
                    self.call_later(self._walk_done, key)
            elif not parent.call_later(step, parent):
                self.call_later(self._walk_done, key)

        if not node.call_later(step, node):  # gone (removed by the key itself)
            self.call_later(self._walk_done, key)

    async def _walk_done(self, key: events.Key | events.Paste) -> None:
        if key is not self._key_in_flight:
            return
        self._key_walks -= 1
        if self._key_walks <= 0:
            await self._key_finished()

    async def _key_finished(self) -> None:
        self._key_in_flight = self._key_target = None
        self._key_walks = 0
        if self._key_watchdog is not None:
            self._key_watchdog.stop()
            self._key_watchdog = None
        await self._next_key()

    async def _key_overdue(self) -> None:
        self._key_watchdog = None
        if self._key_in_flight is None:
            return
        if monotonic() - self._key_since >= self.KEY_WAIT_SECONDS:
            self.log.warning(f"{self._key_in_flight!r} not handled in time: reading the next key")
            await self._key_finished()
        else:
            wait = self.KEY_WAIT_SECONDS - (monotonic() - self._key_since)
            self._key_watchdog = self.set_timer(wait, self._key_overdue)

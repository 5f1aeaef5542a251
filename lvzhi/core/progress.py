import sys
import time


class ProgressBar:
    """A one-line text progress bar for management commands (`[#####.....] 120/280 member files`).

    On a non-terminal (CI logs) it prints only every tenth step, so logs stay short.
    """

    def __init__(self, total, label, stream=None, width=30):
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stdout
        self.width = width
        self.done = 0
        self.started = time.monotonic()
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self._last_tenth = -1

    def step(self, n=1):
        self.done = min(self.done + n, self.total)
        tenth = self.done * 10 // self.total
        if self.tty or tenth != self._last_tenth or self.done == self.total:
            self._last_tenth = tenth
            filled = self.width * self.done // self.total
            bar = "#" * filled + "." * (self.width - filled)
            end = "\r" if self.tty and self.done < self.total else "\n"
            self.stream.write(f"[{bar}] {self.done}/{self.total} {self.label}{end}")
            self.stream.flush()

    def wrap(self, iterable):
        for item in iterable:
            yield item
            self.step()

    def elapsed(self):
        return time.monotonic() - self.started

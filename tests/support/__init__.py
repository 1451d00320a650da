"""What the tests share: the fixed clock and seeded databases (`app`), records written or read
straight through SQLite (`records`), and a tmux server of the run's own (`terminal`). Test modules
import from here, never from one another; the conftest files hold only fixtures."""

"""Storage: one SQLite file through SQLModel, with migrations, backups and query functions.

Query functions take `*, session` and return plain frozen dataclasses, never table rows that
outlive their session.
"""

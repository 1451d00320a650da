"""Documents made from the data: the report as Markdown or a printable HTML page.

Above the store (it reads through it) and beside the UI and the command line, which both call it;
the store only reads and writes.
"""

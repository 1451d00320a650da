"""Nights from the sleep trackers people already use: one module per export format, each turning
a file into `night.TrackedNight`s (what the tracker knows, nothing invented); `detect` tells the
formats apart by content. Pure: the files are opened by `store.tracker_files`."""

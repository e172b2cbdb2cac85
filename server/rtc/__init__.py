"""Live booth streams over WebRTC: one publisher's still-encoded frames forwarded to many viewers.

`StreamHub` (hub.py) is the entry point; docs/rtc.md explains the passthrough design.
"""

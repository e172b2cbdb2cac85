"""The fair domain: fairs, booths, jobs, participants, queues and Q&A over Redis.

Knows nothing of HTTP, websockets or WebRTC; `server/` adapts the wire to these calls.
"""

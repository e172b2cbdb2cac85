"""The fair websocket: one per fair and client; protocol in docs/protocol.md."""

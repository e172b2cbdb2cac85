"""Helpers of bench/queue.py: a lean websocket client and the processes under test."""

"""Helpers for ``bench/stream.py``, the media-forwarding benchmark.

Small modules, one concern each: the synthetic clip (:mod:`clip`), frame identity through RTP
timestamps (:mod:`frameid`), the publisher and viewer worker processes (:mod:`publisher`,
:mod:`viewers`, with the one module touching aiortc internals in :mod:`tap`), the servers under
test (:mod:`target` and one module per target), process accounting (:mod:`procstat`), one
measured point (:mod:`runner`), its analysis (:mod:`analysis`) and the printed report
(:mod:`report`). The target seam is documented in :mod:`target`.
"""

"""Helpers of bench/weaklink.py: the jobfair server, the recruiter's browser, the viewer script
(run inside the weak link's network namespace) and the report."""

"""The Redis key schema, in one place (documented for operators in docs/state.md).

Every key of a fair carries the hash tag `{f:ID}`: a script that touches a booth's line and the
worker's other lines of the same fair stays in one Redis Cluster slot.
"""

PREFIX = "jf"

# Global keys (not fair-scoped).
FAIRS = f"{PREFIX}:fairs"  # zset: fair id -> created_at
STAFF = f"{PREFIX}:staff"  # hash: participant id -> Participant JSON (service-wide moderators)


def node_lease(node_id: str) -> str:
    """string with a TTL: present while the node `node_id` is alive (renewed every few seconds)."""
    return f"{PREFIX}:node:{node_id}"


def fair_tag(fair_id: str) -> str:
    return f"{PREFIX}:{{f:{fair_id}}}"


def fair(fair_id: str) -> str:
    """string: Fair JSON."""
    return f"{fair_tag(fair_id)}:fair"


def booths(fair_id: str) -> str:
    """hash: booth id -> Booth JSON."""
    return f"{fair_tag(fair_id)}:booths"


def jobs(fair_id: str) -> str:
    """hash: job id -> Job JSON (the job names its booth)."""
    return f"{fair_tag(fair_id)}:jobs"


def people(fair_id: str) -> str:
    """hash: participant id -> Participant JSON (workers, recruiters, fair moderators)."""
    return f"{fair_tag(fair_id)}:people"


def rev(fair_id: str) -> str:
    """counter: bumped by every change to the fair's lobby, so a client can tell it missed one."""
    return f"{fair_tag(fair_id)}:rev"


def events(fair_id: str) -> str:
    """pub/sub channel: every event of the fair, for every node to push to its clients."""
    return f"{fair_tag(fair_id)}:events"


def streams(fair_id: str) -> str:
    """hash: booth id -> StreamState JSON of each booth that is live (absent: offline)."""
    return f"{fair_tag(fair_id)}:streams"

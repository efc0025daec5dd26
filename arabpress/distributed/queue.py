"""scrapy-redis's priority queue, each request held in Redis until its work is done.

scrapy-redis pops a request off the shared sorted set (ZRANGE and ZREMRANGEBYRANK in one
MULTI): from then on only the process's memory holds it, while its URL is already in the
seen set, so a process killed then loses it for good. Here one Lua script moves the
request from the queue into the process's own sorted set ``<prefix>:inflight:<worker>``,
with its score; the scheduler removes it once its page and articles are dealt with
(``RedisScheduler``), and ``FrontierWorkers`` moves the set of a process that stopped
answering back into the queue.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from typing import Any

from scrapy import Request, Spider
from scrapy_redis.queue import PriorityQueue

# The request with the lowest score (highest priority), moved to the in-flight set atomically.
POP_TO_INFLIGHT = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if popped[1] then
  redis.call('ZADD', KEYS[2], popped[2], popped[1])
end
return popped[1]
"""

# A request no process has seen: marked seen and queued in one round trip (0: seen already).
PUSH_IF_UNSEEN = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  return 1
end
return 0
"""

# request.meta key of the token by which the queue knows a request it handed out.
FRONTIER_META = "arabpress_frontier_token"


def inflight_prefix(prefix: str) -> str:
    """Return the prefix of the crawl's in-flight sets, one per process."""
    return f"{prefix}:inflight:"


class InFlightPriorityQueue(PriorityQueue):  # type: ignore[misc]
    """A shared priority queue whose popped requests stay in Redis until acknowledged."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        settings = spider.crawler.settings
        self.inflight_key = inflight_prefix(settings.get("ARABPRESS_REDIS_KEY")) + settings.get(
            "ARABPRESS_REDIS_WORKER_ID"
        )
        self.held: dict[str, bytes] = {}
        # Two tokens may hold the same bytes (a request queued twice): remove the member with the last.
        self.members: Counter[bytes] = Counter()
        self.tokens = itertools.count()
        self.pop_script = server.register_script(POP_TO_INFLIGHT)
        self.push_script = server.register_script(PUSH_IF_UNSEEN)

    def push_unseen(self, request: Request, seen_key: str, fingerprint: str) -> bool:
        """Queue *request* unless *fingerprint* is in the seen set *seen_key*, adding it; tell whether it was queued."""
        data = self._encode_request(request)
        return bool(self.push_script(keys=[seen_key, self.key], args=[fingerprint, -request.priority, data]))

    def pop(self, timeout: int = 0) -> Request | None:
        """Take the first request, keeping it in this process's in-flight set."""
        data = self.pop_script(keys=[self.key, self.inflight_key])
        if data is None:
            return None
        request: Request = self._decode_request(data)
        token = str(next(self.tokens))
        request.meta[FRONTIER_META] = token
        self.held[token] = data
        self.members[data] += 1
        return request

    def ack(self, tokens: Iterable[str]) -> None:
        """Forget the requests of *tokens*: their work is done."""
        done = []
        for token in tokens:
            data = self.held.pop(token, None)
            if data is None:
                continue
            self.members[data] -= 1
            if not self.members[data]:
                del self.members[data]
                done.append(data)
        if done:
            self.server.zrem(self.inflight_key, *done)

    def drop_inflight(self) -> None:
        """Delete this process's in-flight set (every request in it is dealt with)."""
        self.held.clear()
        self.members.clear()
        self.server.delete(self.inflight_key)

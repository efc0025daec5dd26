"""Several crawl processes, on one machine or many, sharing one frontier in Redis.

``ARABPRESS_REDIS_ENABLED`` switches it on (settings add-on ``addon.RedisFrontier``):
scrapy-redis's scheduler and duplicate filter keep the request queue and the seen
requests in Redis (``REDIS_URL``), and ``workers.FrontierWorkers`` keeps the processes
of one crawl together: none leaves while another may still add requests, a crawl killed
part-way is resumed by the next process started, and a finished crawl clears its keys.
"""

-- From here on an event's ts is never below the one before it (write-transaction.ts: the writer has
-- applied every earlier commit under the head row lock), and the replicas' time searches rely on it
-- (sqlite/log-time.ts: retention by age, auditLog's since and until). An event written by a server
-- whose clock was behind the previous writer's takes the newest ts before it.
UPDATE events SET ts = earlier.ts
FROM (SELECT revision, max(ts) OVER (ORDER BY revision ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ts FROM events) AS earlier
WHERE events.revision = earlier.revision AND events.ts < earlier.ts;

DROP INDEX `events_request`;--> statement-breakpoint
CREATE INDEX `events_actor_request` ON `events` (`actor`,`request_id`) WHERE request_id IS NOT NULL;
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_events` (
	`revision` integer PRIMARY KEY NOT NULL,
	`ts` integer NOT NULL,
	`actor` text NOT NULL,
	`verb` text NOT NULL,
	`type` text NOT NULL,
	`kind` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`uid` text NOT NULL,
	`prev_revision` integer,
	`object` text NOT NULL,
	`request_id` text
);
--> statement-breakpoint
INSERT INTO `__new_events`("revision", "ts", "actor", "verb", "type", "kind", "namespace", "name", "uid", "prev_revision", "object", "request_id") SELECT "revision", "ts", "actor", "verb", "type", "kind", "namespace", "name", "uid", "prev_revision", "object", "request_id" FROM `events`;--> statement-breakpoint
DROP TABLE `events`;--> statement-breakpoint
ALTER TABLE `__new_events` RENAME TO `events`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `events_object` ON `events` (`kind`,`namespace`,`name`,`revision`);--> statement-breakpoint
CREATE INDEX `events_actor_request` ON `events` (`actor`,`request_id`) WHERE request_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_ts` ON `events` (`ts`);--> statement-breakpoint
CREATE INDEX `events_actor` ON `events` (`actor`,`revision`);--> statement-breakpoint
CREATE INDEX `events_namespace` ON `events` (`namespace`,`revision`);--> statement-breakpoint
CREATE INDEX `events_kind` ON `events` (`kind`,`revision`);--> statement-breakpoint
CREATE INDEX `events_pod_node` ON `events` ("object" ->> '$.spec.nodeName',`revision`) WHERE kind = 'Pod';
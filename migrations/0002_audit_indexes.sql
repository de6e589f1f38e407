CREATE INDEX `events_actor` ON `events` (`actor`,`revision`);--> statement-breakpoint
CREATE INDEX `events_namespace` ON `events` (`namespace`,`revision`);--> statement-breakpoint
CREATE INDEX `events_kind` ON `events` (`kind`,`revision`);
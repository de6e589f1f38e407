CREATE TABLE `allocations` (
	`pool` text NOT NULL,
	`value` text NOT NULL,
	`kind` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	PRIMARY KEY(`pool`, `value`)
);
--> statement-breakpoint
CREATE INDEX `allocations_owner` ON `allocations` (`kind`,`namespace`,`name`);--> statement-breakpoint
CREATE TABLE `events` (
	`revision` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
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
CREATE INDEX `events_object` ON `events` (`kind`,`namespace`,`name`,`revision`);--> statement-breakpoint
CREATE INDEX `events_request` ON `events` (`request_id`) WHERE request_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_ts` ON `events` (`ts`);--> statement-breakpoint
CREATE TABLE `labels` (
	`kind` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`from_rev` integer NOT NULL,
	`to_rev` integer,
	PRIMARY KEY(`kind`, `namespace`, `name`, `key`, `from_rev`)
);
--> statement-breakpoint
CREATE INDEX `labels_current` ON `labels` (`kind`,`key`,`value`) WHERE to_rev IS NULL;--> statement-breakpoint
CREATE INDEX `labels_at` ON `labels` (`kind`,`key`,`value`,`from_rev`);--> statement-breakpoint
CREATE INDEX `labels_to_rev` ON `labels` (`to_rev`);--> statement-breakpoint
CREATE TABLE `objects` (
	`kind` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`from_rev` integer NOT NULL,
	`to_rev` integer,
	`uid` text NOT NULL,
	`node_name` text,
	`phase` text,
	`controller_uid` text,
	`object` text NOT NULL,
	PRIMARY KEY(`kind`, `namespace`, `name`, `from_rev`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `objects_current` ON `objects` (`kind`,`namespace`,`name`) WHERE to_rev IS NULL;--> statement-breakpoint
CREATE INDEX `objects_node` ON `objects` (`kind`,`node_name`) WHERE to_rev IS NULL;--> statement-breakpoint
CREATE INDEX `objects_controller` ON `objects` (`controller_uid`) WHERE to_rev IS NULL;--> statement-breakpoint
CREATE INDEX `objects_to_rev` ON `objects` (`to_rev`);--> statement-breakpoint
CREATE TABLE `store_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);

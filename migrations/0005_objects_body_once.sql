PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_objects` (
	`kind` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`from_rev` integer NOT NULL,
	`to_rev` integer,
	`uid` text NOT NULL,
	`node_name` text,
	`phase` text,
	`controller_uid` text,
	`object` text,
	PRIMARY KEY(`kind`, `namespace`, `name`, `from_rev`)
);
--> statement-breakpoint
INSERT INTO `__new_objects`("kind", "namespace", "name", "from_rev", "to_rev", "uid", "node_name", "phase", "controller_uid", "object") SELECT "kind", "namespace", "name", "from_rev", "to_rev", "uid", "node_name", "phase", "controller_uid", "object" FROM `objects`;--> statement-breakpoint
DROP TABLE `objects`;--> statement-breakpoint
ALTER TABLE `__new_objects` RENAME TO `objects`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `objects_current` ON `objects` (`kind`,`namespace`,`name`) WHERE to_rev IS NULL;--> statement-breakpoint
CREATE INDEX `objects_node` ON `objects` (`kind`,`node_name`) WHERE to_rev IS NULL;--> statement-breakpoint
CREATE INDEX `objects_controller` ON `objects` (`controller_uid`) WHERE to_rev IS NULL;--> statement-breakpoint
CREATE INDEX `objects_to_rev` ON `objects` (`to_rev`);
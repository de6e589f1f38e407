DROP INDEX `labels_to_rev`;--> statement-breakpoint
CREATE INDEX `labels_to_rev` ON `labels` (`to_rev`) WHERE to_rev IS NOT NULL;--> statement-breakpoint
DROP INDEX `objects_node`;--> statement-breakpoint
DROP INDEX `objects_controller`;--> statement-breakpoint
DROP INDEX `objects_to_rev`;--> statement-breakpoint
CREATE INDEX `objects_node` ON `objects` (`kind`,`node_name`) WHERE to_rev IS NULL AND node_name IS NOT NULL;--> statement-breakpoint
CREATE INDEX `objects_controller` ON `objects` (`controller_uid`) WHERE to_rev IS NULL AND controller_uid IS NOT NULL;--> statement-breakpoint
CREATE INDEX `objects_to_rev` ON `objects` (`to_rev`) WHERE to_rev IS NOT NULL;
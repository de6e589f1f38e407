DROP INDEX `labels_current`;--> statement-breakpoint
DROP INDEX `labels_at`;--> statement-breakpoint
CREATE INDEX `labels_alive` ON `labels` (`kind`,`key`,`value`,(CASE WHEN "to_rev" IS NULL THEN 9223372036854775807 ELSE "to_rev" END));
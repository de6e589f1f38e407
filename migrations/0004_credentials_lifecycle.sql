CREATE TABLE `credential_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ts` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`token_id` text NOT NULL,
	`identity` text NOT NULL,
	`expires_at` integer
);
--> statement-breakpoint
CREATE INDEX `credential_events_identity` ON `credential_events` (`identity`,`id`);--> statement-breakpoint
ALTER TABLE `auth_tokens` ADD `token_id` text;--> statement-breakpoint
ALTER TABLE `auth_tokens` ADD `issued_by` text;--> statement-breakpoint
ALTER TABLE `auth_tokens` ADD `bound_namespace` text;--> statement-breakpoint
ALTER TABLE `auth_tokens` ADD `bound_name` text;--> statement-breakpoint
ALTER TABLE `auth_tokens` ADD `bound_uid` text;--> statement-breakpoint
ALTER TABLE `auth_tokens` ADD `revoked_at` integer;--> statement-breakpoint
ALTER TABLE `auth_tokens` ADD `revoked_by` text;--> statement-breakpoint
CREATE UNIQUE INDEX `auth_tokens_id` ON `auth_tokens` (`token_id`);--> statement-breakpoint
CREATE INDEX `auth_tokens_identity` ON `auth_tokens` (`identity`);
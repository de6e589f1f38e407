CREATE TABLE `auth_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`identity` text NOT NULL,
	`groups` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer
);

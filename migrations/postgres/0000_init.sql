CREATE TABLE "allocations" (
	"pool" text NOT NULL,
	"value" text NOT NULL,
	"kind" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "allocations_pool_value_pk" PRIMARY KEY("pool","value")
);
--> statement-breakpoint
CREATE TABLE "auth_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"identity" text NOT NULL,
	"groups" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint,
	"token_id" text,
	"issued_by" text,
	"bound_namespace" text,
	"bound_name" text,
	"bound_uid" text,
	"revoked_at" bigint,
	"revoked_by" text
);
--> statement-breakpoint
CREATE TABLE "credential_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ts" bigint NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"token_id" text NOT NULL,
	"identity" text NOT NULL,
	"expires_at" bigint
);
--> statement-breakpoint
CREATE TABLE "events" (
	"revision" bigint PRIMARY KEY NOT NULL,
	"ts" bigint NOT NULL,
	"actor" text NOT NULL,
	"verb" text NOT NULL,
	"type" text NOT NULL,
	"kind" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"uid" text NOT NULL,
	"prev_revision" bigint,
	"object" text NOT NULL,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "labels" (
	"kind" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"from_rev" bigint NOT NULL,
	"to_rev" bigint,
	CONSTRAINT "labels_kind_namespace_name_key_from_rev_pk" PRIMARY KEY("kind","namespace","name","key","from_rev")
);
--> statement-breakpoint
CREATE TABLE "log_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"head" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "objects" (
	"kind" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"from_rev" bigint NOT NULL,
	"to_rev" bigint,
	"uid" text NOT NULL,
	"node_name" text,
	"phase" text,
	"controller_uid" text,
	"object" text NOT NULL,
	CONSTRAINT "objects_kind_namespace_name_from_rev_pk" PRIMARY KEY("kind","namespace","name","from_rev")
);
--> statement-breakpoint
CREATE TABLE "store_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "allocations_owner" ON "allocations" USING btree ("kind","namespace","name");--> statement-breakpoint
CREATE UNIQUE INDEX "auth_tokens_id" ON "auth_tokens" USING btree ("token_id");--> statement-breakpoint
CREATE INDEX "auth_tokens_identity" ON "auth_tokens" USING btree ("identity");--> statement-breakpoint
CREATE INDEX "credential_events_identity" ON "credential_events" USING btree ("identity","id");--> statement-breakpoint
CREATE INDEX "events_object" ON "events" USING btree ("kind","namespace","name","revision");--> statement-breakpoint
CREATE INDEX "events_actor_request" ON "events" USING btree ("actor","request_id") WHERE request_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "events_ts" ON "events" USING btree ("ts");--> statement-breakpoint
CREATE INDEX "labels_to_rev" ON "labels" USING btree ("to_rev");--> statement-breakpoint
CREATE UNIQUE INDEX "objects_current" ON "objects" USING btree ("kind","namespace","name") WHERE to_rev IS NULL;--> statement-breakpoint
CREATE INDEX "objects_to_rev" ON "objects" USING btree ("to_rev");
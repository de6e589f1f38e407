DROP INDEX "labels_to_rev";--> statement-breakpoint
DROP INDEX "objects_to_rev";--> statement-breakpoint
CREATE INDEX "labels_to_rev" ON "labels" USING btree ("to_rev") WHERE to_rev IS NOT NULL;--> statement-breakpoint
CREATE INDEX "objects_to_rev" ON "objects" USING btree ("to_rev") WHERE to_rev IS NOT NULL;
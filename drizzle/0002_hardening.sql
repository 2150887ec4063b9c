CREATE TABLE "revoked_sessions" (
	"sid" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "session_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "webhook_rejections" SET "source_ip" = 'unknown' WHERE "source_ip" IS NULL;--> statement-breakpoint
ALTER TABLE "webhook_rejections" ALTER COLUMN "source_ip" SET DEFAULT 'unknown';--> statement-breakpoint
ALTER TABLE "webhook_rejections" ALTER COLUMN "source_ip" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_rejections" ADD COLUMN "minute" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "webhook_rejections" ADD COLUMN "last_at" timestamp (3) with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_rejections" ADD COLUMN "count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
UPDATE "webhook_rejections" SET "minute" = date_trunc('minute', "created_at"), "last_at" = "created_at";--> statement-breakpoint
-- Rows recorded one per refusal before this migration fold into one row per minute and source.
WITH "groups" AS (
	SELECT min("id") AS "keep", count(*) AS "n", max("created_at") AS "last"
	FROM "webhook_rejections"
	GROUP BY "minute", "route", "status", "reason", "source_ip"
	HAVING count(*) > 1
)
UPDATE "webhook_rejections" AS w SET "count" = g."n", "last_at" = g."last" FROM "groups" AS g WHERE w."id" = g."keep";--> statement-breakpoint
DELETE FROM "webhook_rejections" AS w USING "webhook_rejections" AS k
WHERE w."minute" = k."minute" AND w."route" = k."route" AND w."status" = k."status"
	AND w."reason" = k."reason" AND w."source_ip" = k."source_ip" AND w."id" > k."id";--> statement-breakpoint
ALTER TABLE "webhook_rejections" ALTER COLUMN "minute" SET DEFAULT date_trunc('minute', now());--> statement-breakpoint
ALTER TABLE "webhook_rejections" ALTER COLUMN "minute" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_rejections_bucket_idx" ON "webhook_rejections" USING btree ("minute","route","status","reason","source_ip");

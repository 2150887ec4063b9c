ALTER TYPE "public"."message_status" ADD VALUE 'cancelled';--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "next_attempt_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "waiting_since" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "outcome_unknown" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "sending_until" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "messages_unconfirmed_idx" ON "messages" USING btree ("status_at") WHERE "messages"."direction" = 'outbound' and "messages"."status" in ('queued', 'sent', 'buffered');
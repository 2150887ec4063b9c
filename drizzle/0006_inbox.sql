CREATE TYPE "public"."message_author" AS ENUM('contact', 'user', 'verification-code', 'system');--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "resolved_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "author" "message_author" DEFAULT 'contact' NOT NULL;--> statement-breakpoint
CREATE INDEX "conversations_activity_idx" ON "conversations" USING btree ((coalesce("last_message_at", "created_at")) desc,"id" desc);--> statement-breakpoint
CREATE INDEX "conversations_assignee_id_index" ON "conversations" USING btree ("assignee_id");--> statement-breakpoint
CREATE INDEX "messages_body_search_idx" ON "messages" USING gin (to_tsvector('simple', "body"));
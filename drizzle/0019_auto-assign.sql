ALTER TYPE "public"."conversation_event_kind" ADD VALUE 'none-available';--> statement-breakpoint
CREATE TABLE "auto_assignment" (
	"number_id" uuid PRIMARY KEY NOT NULL,
	"capacity" integer,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "away_since" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "auto_assignment" ADD CONSTRAINT "auto_assignment_number_id_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."numbers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_events_assignee_id_created_at_index" ON "conversation_events" USING btree ("assignee_id","created_at");
CREATE TABLE "number_automations" (
	"number_id" uuid PRIMARY KEY NOT NULL,
	"hours_on" boolean DEFAULT false NOT NULL,
	"time_zone" text NOT NULL,
	"weekly_hours" jsonb NOT NULL,
	"away_message" text NOT NULL,
	"help_text" text,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "away_replied_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "number_automations" ADD CONSTRAINT "number_automations_number_id_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."numbers"("id") ON DELETE cascade ON UPDATE no action;
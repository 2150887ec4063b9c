CREATE TABLE "numbers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"label" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "numbers_number_unique" UNIQUE("number")
);
--> statement-breakpoint
ALTER TABLE "conversations" DROP CONSTRAINT "conversations_contactNumber_unique";--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_contact_number_virtual_number_idx" ON "conversations" USING btree ("contact_number","virtual_number");--> statement-breakpoint
CREATE INDEX "conversations_virtual_number_index" ON "conversations" USING btree ("virtual_number");
ALTER TABLE "phone_verifications" ADD COLUMN "sealed_text" text;--> statement-breakpoint
ALTER TABLE "phone_verifications" ADD COLUMN "send_status" text DEFAULT 'sent' NOT NULL;--> statement-breakpoint
ALTER TABLE "phone_verifications" ADD COLUMN "send_error" text;--> statement-breakpoint
ALTER TABLE "phone_verifications" ADD COLUMN "send_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "phone_verifications" ADD COLUMN "sending_until" timestamp (3) with time zone;
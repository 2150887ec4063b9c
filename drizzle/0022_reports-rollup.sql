CREATE TABLE "report_stale" (
	"conversation_ids" uuid[] NOT NULL,
	"buckets" timestamp (3) with time zone[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_starts" (
	"conversation_id" uuid NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"number" text NOT NULL,
	"by_team" boolean NOT NULL,
	"first_reply_at" timestamp (3) with time zone,
	"replier_id" text,
	"resolved_at" timestamp (3) with time zone,
	CONSTRAINT "report_starts_conversation_id_started_at_pk" PRIMARY KEY("conversation_id","started_at")
);
--> statement-breakpoint
CREATE TABLE "report_volume" (
	"bucket" timestamp (3) with time zone NOT NULL,
	"number" text NOT NULL,
	"user_id" text,
	"inbound" integer NOT NULL,
	"by_people" integer NOT NULL,
	"automatic" integer NOT NULL,
	"segments" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_waiting" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"since" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "report_starts_started_at_index" ON "report_starts" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "report_volume_totals_idx" ON "report_volume" USING btree ("bucket") WHERE "report_volume"."user_id" is null;--> statement-breakpoint
CREATE INDEX "report_volume_people_idx" ON "report_volume" USING btree ("bucket") WHERE "report_volume"."user_id" is not null;--> statement-breakpoint
CREATE INDEX "conversation_events_resolved_idx" ON "conversation_events" USING btree ("created_at","actor_user_id","conversation_id") WHERE "conversation_events"."kind" = 'resolved';--> statement-breakpoint
-- Written by hand (drizzle-kit does not know functions and triggers): keep when regenerating.
-- The quarter hour a moment falls in: the rollups' unit of time.
CREATE FUNCTION report_bucket(at timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN date_bin('15 minutes', at, timestamptz '2000-01-01 00:00:00+00');
--> statement-breakpoint
-- Marks what a statement on messages wrote or removed as stale: its conversations and quarter hours.
CREATE FUNCTION report_messages_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_stale (conversation_ids, buckets)
  SELECT array_agg(DISTINCT conversation_id), array_agg(DISTINCT report_bucket(created_at))
  FROM changed HAVING count(*) > 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- An update only matters to the rollups when it changes what they count: not a delivery report.
CREATE FUNCTION report_messages_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_stale (conversation_ids, buckets)
  SELECT array_agg(DISTINCT side.conversation_id), array_agg(DISTINCT report_bucket(side.created_at))
  FROM old_rows o JOIN new_rows n USING (id)
  CROSS JOIN LATERAL (VALUES (o.conversation_id, o.created_at), (n.conversation_id, n.created_at)) AS side (conversation_id, created_at)
  WHERE (o.status = 'cancelled') IS DISTINCT FROM (n.status = 'cancelled') OR o.segments <> n.segments
     OR o.created_at <> n.created_at OR o.conversation_id <> n.conversation_id OR o.direction <> n.direction
     OR o.author <> n.author OR o.author_user_id IS DISTINCT FROM n.author_user_id
     OR o.from_number <> n.from_number OR o.to_number <> n.to_number
  HAVING count(*) > 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION report_resolutions_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_stale (conversation_ids, buckets)
  SELECT array_agg(DISTINCT conversation_id), '{}' FROM changed WHERE kind = 'resolved' HAVING count(*) > 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_messages_inserted AFTER INSERT ON messages REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION report_messages_written();
--> statement-breakpoint
CREATE TRIGGER report_messages_deleted AFTER DELETE ON messages REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION report_messages_written();
--> statement-breakpoint
CREATE TRIGGER report_messages_updated AFTER UPDATE ON messages REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_messages_updated();
--> statement-breakpoint
CREATE TRIGGER report_resolutions_inserted AFTER INSERT ON conversation_events REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION report_resolutions_written();
--> statement-breakpoint
CREATE TRIGGER report_resolutions_deleted AFTER DELETE ON conversation_events REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION report_resolutions_written();
--> statement-breakpoint
-- The history so far: everything is stale, and the first refresh (a minute after boot at most) rolls it up.
INSERT INTO report_stale (conversation_ids, buckets)
SELECT coalesce((SELECT array_agg(id) FROM conversations), '{}'),
       coalesce((SELECT array_agg(DISTINCT report_bucket(created_at)) FROM messages), '{}')
WHERE EXISTS (SELECT FROM conversations);

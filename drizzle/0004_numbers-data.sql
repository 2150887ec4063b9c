-- Every number an existing conversation is on becomes one of ours, unlisted until an admin labels it;
-- the configured sender is labelled at boot. Conversations keep their number: nothing is re-homed.
INSERT INTO "numbers" ("number")
SELECT DISTINCT "virtual_number" FROM "conversations"
ON CONFLICT ("number") DO NOTHING;

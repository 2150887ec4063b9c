-- Until now every outbound message was a reply typed by a signed-in user (the app stored no SMS of its
-- own), so outbound rows are theirs; where the account is gone, author_user_id is already null and the
-- thread says so. Inbound rows keep the default, 'contact'.
UPDATE "messages" SET "author" = 'user' WHERE "direction" = 'outbound';

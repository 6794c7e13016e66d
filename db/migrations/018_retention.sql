-- Retention (db/retention.ts): an ended room's details are forgotten after the room retention,
-- while the room row itself stays as long as listening history refers to it (the recommender
-- reads a listen's room topics and who else was in it). A forgotten room has an empty title
-- and description, and answers 404 like a room that never was.
alter table rooms add column details_forgotten_at timestamptz;
alter table rooms drop constraint rooms_title_check;
alter table rooms add constraint rooms_title_check check (
  length(title) between 1 and 80
  or (details_forgotten_at is not null and title = '' and description = ''));
alter table rooms add constraint rooms_forgotten_ended check (
  details_forgotten_at is null or state = 'ended');

-- The sweep's searches: ended rooms whose details are still kept, listening rows by age, and
-- "does any listening row still refer to this room".
create index rooms_ended_kept on rooms (ended_at) where details_forgotten_at is null
  and state = 'ended';
create index rooms_forgotten on rooms (ended_at) where details_forgotten_at is not null;
create index listens_ended on listens (ended_at) where ended_at is not null;
create index listens_room on listens (room_id);
create index sessions_expires on sessions (expires_at);
create index rate_limits_window on rate_limits (window_start);

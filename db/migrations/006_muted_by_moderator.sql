-- Who muted a speaker: a page says "Muted by a moderator" only when one did, not when the
-- speaker muted themselves or came on stage muted (db/room_actions.ts keeps it).
alter table participants add column muted_by_moderator boolean not null default false;
alter table participants add constraint participants_muted_by_moderator_is_muted
  check (muted or not muted_by_moderator);

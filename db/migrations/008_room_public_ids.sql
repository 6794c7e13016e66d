-- Every room's URLs name it by an opaque random id, so nobody can walk the room space by
-- counting; the sequential id stays the key inside the database and appears on no page.
-- 22 base64url characters of a random UUID: 122 random bits, made by the database itself
-- (gen_random_uuid is core since PostgreSQL 13, and PGlite has it), so every insert gets one.
alter table rooms add column public_id text not null
  default translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/=', '-_');
alter table rooms add constraint rooms_public_id unique (public_id);
alter table rooms add constraint rooms_public_id_format
  check (public_id ~ '^[A-Za-z0-9_-]{22}$');

-- Who may see a room at all (its page, its sockets, acting in it, reporting it, marking it
-- not interesting): the one statement of that rule, asked before anything else about the room
-- is read. Removed members never. A live room or a scheduled event: whoever may join it
-- (`may_join`; for a closed event, its hosts and those who came through its link). An ended
-- room: never members its creator or hosts blocked; then those who took part in it (their
-- listening rows), its creator and hosts, and for an open room every member.
create function may_see(room_id bigint, member bigint) returns boolean
language sql stable as $$
  select exists (
    select 1 from rooms r
    where r.id = $1
      and not exists (select 1 from room_bans b where b.room_id = $1 and b.user_id = $2)
      and case when r.state <> 'ended' then may_join($1, $2)
        else not exists (
            select 1 from blocks k
            where k.blocked_id = $2
              and (k.blocker_id = r.creator_id
                   or k.blocker_id in (select h.user_id from room_hosts h where h.room_id = $1)))
          and (r.kind = 'open'
               or r.creator_id = $2
               or exists (select 1 from room_hosts h where h.room_id = $1 and h.user_id = $2)
               or exists (select 1 from listens l where l.room_id = $1 and l.user_id = $2))
      end
  )
$$;

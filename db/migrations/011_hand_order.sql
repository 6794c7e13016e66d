-- Raised hands in the order they went up. Two raises can share a timestamp (PGlite's clock reads
-- in milliseconds), so the line is kept by a sequence, drawn when a hand goes up.
create sequence hand_raise_order;
alter table participants add column hand_order bigint;
update participants p set hand_order = o.n
from (select room_id, user_id, row_number() over (order by hand_raised_at, user_id) as n
      from participants where hand_raised_at is not null) o
where p.room_id = o.room_id and p.user_id = o.user_id;
select setval('hand_raise_order', coalesce((select max(hand_order) from participants), 0) + 1, false);

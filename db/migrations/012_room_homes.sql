-- Nodes (Palabre processes sharing this database) and where each live room's media lives. A node
-- names itself with a random id at start and marks itself seen while it runs; a room's home holds
-- it under a lease it renews. A node that dies stops renewing, and the room goes elsewhere.
create table nodes (
  id text primary key,
  seen_at timestamptz not null
);

create table room_homes (
  room_id bigint primary key references rooms (id) on delete cascade,
  node_id text not null,
  -- Random per placement: names the room's subjects on the bus (never a room or member id).
  stream_key text not null unique,
  lease_until timestamptz not null
);
create index room_homes_node on room_homes (node_id);

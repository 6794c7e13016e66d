-- The catalogue of topics members pick from, their picks, and the append-only signals that
-- recommendations learn from.

create table topic_categories (
  id integer primary key,
  name text not null unique,
  position integer not null
);

create table topics (
  id integer generated always as identity primary key,
  slug text not null unique check (slug ~ '^[a-z0-9-]{2,40}$'),
  name text not null,
  category_id integer not null references topic_categories (id)
);

create table user_topics (
  user_id bigint not null references users (id) on delete cascade,
  topic_id integer not null references topics (id) on delete cascade,
  picked_at timestamptz not null default now(),
  primary key (user_id, topic_id)
);
create index user_topics_topic on user_topics (topic_id);

-- Never updated, only appended: what a member did that says what they like.
create table signals (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  kind text not null check (kind in ('topic_picked', 'topic_unpicked', 'followed', 'unfollowed')),
  topic_id integer references topics (id) on delete cascade,
  person_id bigint references users (id) on delete cascade,
  at timestamptz not null default now(),
  check ((topic_id is null) <> (person_id is null))
);
create index signals_user on signals (user_id, at);

insert into topic_categories (id, name, position) values
  (1, 'Tech', 1),
  (2, 'Music', 2),
  (3, 'Languages', 3),
  (4, 'Sports', 4),
  (5, 'Wellness', 5),
  (6, 'Business', 6),
  (7, 'Arts', 7),
  (8, 'Science', 8),
  (9, 'Places', 9);

insert into topics (slug, name, category_id) values
  ('software-engineering', 'Software Engineering', 1),
  ('startups', 'Startups', 1),
  ('artificial-intelligence', 'Artificial Intelligence', 1),
  ('open-source', 'Open Source', 1),
  ('cybersecurity', 'Cybersecurity', 1),
  ('web-development', 'Web Development', 1),
  ('gadgets', 'Gadgets', 1),
  ('privacy', 'Privacy', 1),
  ('jazz', 'Jazz', 2),
  ('hip-hop', 'Hip Hop', 2),
  ('classical', 'Classical', 2),
  ('electronic', 'Electronic', 2),
  ('indie', 'Indie', 2),
  ('songwriting', 'Songwriting', 2),
  ('music-production', 'Music Production', 2),
  ('folk', 'Folk', 2),
  ('spanish', 'Spanish', 3),
  ('french', 'French', 3),
  ('japanese', 'Japanese', 3),
  ('german', 'German', 3),
  ('arabic', 'Arabic', 3),
  ('portuguese', 'Portuguese', 3),
  ('mandarin', 'Mandarin', 3),
  ('language-exchange', 'Language Exchange', 3),
  ('football', 'Football', 4),
  ('basketball', 'Basketball', 4),
  ('tennis', 'Tennis', 4),
  ('running', 'Running', 4),
  ('cycling', 'Cycling', 4),
  ('climbing', 'Climbing', 4),
  ('chess', 'Chess', 4),
  ('esports', 'Esports', 4),
  ('meditation', 'Meditation', 5),
  ('fitness', 'Fitness', 5),
  ('nutrition', 'Nutrition', 5),
  ('mental-health', 'Mental Health', 5),
  ('sleep', 'Sleep', 5),
  ('yoga', 'Yoga', 5),
  ('entrepreneurship', 'Entrepreneurship', 6),
  ('marketing', 'Marketing', 6),
  ('investing', 'Investing', 6),
  ('product-management', 'Product Management', 6),
  ('careers', 'Careers', 6),
  ('remote-work', 'Remote Work', 6),
  ('film', 'Film', 7),
  ('photography', 'Photography', 7),
  ('writing', 'Writing', 7),
  ('poetry', 'Poetry', 7),
  ('design', 'Design', 7),
  ('theatre', 'Theatre', 7),
  ('comedy', 'Comedy', 7),
  ('books', 'Books', 7),
  ('astronomy', 'Astronomy', 8),
  ('physics', 'Physics', 8),
  ('biology', 'Biology', 8),
  ('climate', 'Climate', 8),
  ('mathematics', 'Mathematics', 8),
  ('psychology', 'Psychology', 8),
  ('history', 'History', 8),
  ('philosophy', 'Philosophy', 8),
  ('travel', 'Travel', 9),
  ('paris', 'Paris', 9),
  ('lagos', 'Lagos', 9),
  ('tokyo', 'Tokyo', 9),
  ('new-york', 'New York', 9),
  ('berlin', 'Berlin', 9),
  ('mexico-city', 'Mexico City', 9),
  ('cooking', 'Cooking', 9);

-- Search (db/search.ts): full-text words in English and French with accents folded, trigrams
-- for handles, names and typos. Both extensions are trusted contrib modules that PostgreSQL and
-- PGlite ship (PGlite loads them when opened, db/client.ts). They live in `public` whatever the
-- search_path, so every schema on a database (tests make one each) shares them, and every use
-- below names them there.
create extension if not exists unaccent with schema public;
create extension if not exists pg_trgm with schema public;

-- unaccent() is STABLE because its dictionary could be changed; naming the dictionary makes the
-- result depend on the text alone, so indexes and generated columns may use it.
create function search_fold(words text) returns text
language sql immutable parallel safe strict as $$
  select lower(public.unaccent('public.unaccent'::regdictionary, words))
$$;

-- The words a text is found by: English and French stems of its accent-folded form.
create function search_words(words text) returns tsvector
language sql immutable parallel safe strict as $$
  select to_tsvector('english'::regconfig, search_fold(words))
    || to_tsvector('french'::regconfig, search_fold(words))
$$;

alter table users add column search_words tsvector
  generated always as (search_words(display_name || ' ' || bio)) stored;
create index users_search_words on users using gin (search_words);
-- Handles found by their first letters, compared byte by byte whatever the collation.
create index users_handle_prefix on users (lower(handle) text_pattern_ops);
-- Handles and names found by a few letters or with a typo (word similarity, see db/search.ts).
create index users_handle_trigrams on users using gin (lower(handle) public.gin_trgm_ops);
create index users_name_trigrams on users using gin (search_fold(display_name) public.gin_trgm_ops);

alter table rooms add column search_words tsvector
  generated always as (search_words(title || ' ' || description)) stored;
-- Only rooms that can be found: ended rooms pile up and are never searched.
create index rooms_search_words on rooms using gin (search_words) where state <> 'ended';
-- Rooms found by their topics.
create index room_topics_topic on room_topics (topic_id, room_id);

-- Languages (issue 14): a member's own choice (null: follow the browser, then the site), and
-- the language a room is held in, which the hallway's `language` ranking term compares.
alter table users add column language text check (language in ('en', 'fr'));
alter table rooms add column language text not null default 'en' check (language in ('en', 'fr'));

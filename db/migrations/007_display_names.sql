-- Sign-up and profile edits refuse a display name another member already shows (db/display_names.ts).
create index users_display_name on users (lower(display_name));

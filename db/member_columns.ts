/**
 * Every column that refers to a member, and what deleting an account and exporting a member's
 * data each do with it: the one list both follow. `tests/db/member_columns_test.ts` reads the
 * schema (information_schema) and fails when a column that refers to `users` is missing here,
 * so a new table can never be forgotten by deletion or by export.
 *
 * @example
 * memberColumns.find((c) => c.table === "follows" && c.column === "follower_id")?.deletion;
 * // "delete"
 */

/**
 * What deleting an account does to the rows whose column holds the member:
 * - `delete`: the rows go (the member's own data);
 * - `keep`: the rows stay and point at the emptied account, shown as "a deleted member"
 *   (someone else's record: the room they were in, the invite they sent, a report, a log);
 * - `leave`: the member is taken out the way leaving does (seats in live rooms: succession);
 * - `empty`: the member's own row, emptied (`users.id`'s row, and its own columns).
 */
export type Deletion = "delete" | "keep" | "leave" | "empty";

export interface MemberColumn {
  table: string;
  column: string;
  deletion: Deletion;
  /** The export's section that lists these rows, or null when the export leaves them out. */
  export: string | null;
  /** Why, in a sentence: README's privacy section says the same. */
  why: string;
}

export const memberColumns: readonly MemberColumn[] = [
  {
    table: "users",
    column: "id",
    deletion: "empty",
    export: "profile",
    why: "the account's row stays, emptied (no handle, name, bio or password), for what keeps it",
  },
  {
    table: "users",
    column: "invited_by",
    deletion: "keep",
    export: "invites_made",
    why: "people a deleted member invited stay; administrators see a deleted member invited them",
  },
  {
    table: "sessions",
    column: "user_id",
    deletion: "delete",
    export: "sessions",
    why: "every session ends at once; the export lists them without their secrets",
  },
  {
    table: "invites",
    column: "creator_id",
    deletion: "keep",
    export: "invites_made",
    why: "unused invites are revoked; used ones are the invitee's record of how they came",
  },
  {
    table: "invites",
    column: "used_by",
    deletion: "keep",
    export: "invite_used",
    why: "the inviter's record that their invite was used",
  },
  {
    table: "follows",
    column: "follower_id",
    deletion: "delete",
    export: "follows",
    why: "the member's follows",
  },
  {
    table: "follows",
    column: "followee_id",
    deletion: "delete",
    export: "followers",
    why: "nobody follows a deleted account",
  },
  {
    table: "user_topics",
    column: "user_id",
    deletion: "delete",
    export: "picks",
    why: "the member's topic picks",
  },
  {
    table: "signals",
    column: "user_id",
    deletion: "delete",
    export: "signals",
    why: "the member's picks, follows and not-interested history the recommender learns from",
  },
  {
    table: "signals",
    column: "person_id",
    deletion: "delete",
    export: null,
    why: "other members' follows of the deleted member: nothing left to recommend",
  },
  {
    table: "rooms",
    column: "creator_id",
    deletion: "keep",
    export: "rooms_hosted",
    why:
      "a room is also its listeners' history; events to come pass to a co-host, or are cancelled",
  },
  {
    table: "room_hosts",
    column: "user_id",
    deletion: "delete",
    export: "rooms_hosted",
    why: "co-hosting events to come",
  },
  {
    table: "event_interest",
    column: "user_id",
    deletion: "delete",
    export: "events_interested",
    why: "events the member wanted to hear",
  },
  {
    table: "participants",
    column: "user_id",
    deletion: "leave",
    export: "rooms_joined",
    why: "seats in live rooms: a host's room passes to the longest-present speaker, or ends",
  },
  {
    table: "room_bans",
    column: "user_id",
    deletion: "delete",
    export: "rooms_removed_from",
    why: "rooms the member was removed from",
  },
  {
    table: "room_access",
    column: "user_id",
    deletion: "delete",
    export: "rooms_joined",
    why: "closed rooms the member was let into by link",
  },
  {
    table: "moderation_log",
    column: "actor_id",
    deletion: "keep",
    export: "moderation",
    why: "a room's moderation log stays whole, the actor shown as a deleted member",
  },
  {
    table: "moderation_log",
    column: "target_id",
    deletion: "keep",
    export: "moderation",
    why: "a room's moderation log stays whole, the target shown as a deleted member",
  },
  {
    table: "blocks",
    column: "blocker_id",
    deletion: "delete",
    export: "blocks",
    why: "the member's blocks",
  },
  {
    table: "blocks",
    column: "blocked_id",
    deletion: "delete",
    export: null,
    why: "who blocked the member is theirs to know, not the member's",
  },
  {
    table: "reports",
    column: "reporter_id",
    deletion: "keep",
    export: "reports_made",
    why: "administrators keep reports, the reporter shown as a deleted member",
  },
  {
    table: "reports",
    column: "member_id",
    deletion: "keep",
    export: null,
    why: "administrators keep reports about a member; the reporters are not the member's to know",
  },
  {
    table: "reports",
    column: "resolved_by",
    deletion: "keep",
    export: "admin_actions",
    why: "the administrators' record",
  },
  {
    table: "listens",
    column: "user_id",
    deletion: "delete",
    export: "listening",
    why: "the member's listening history",
  },
  {
    table: "model_versions",
    column: "created_by",
    deletion: "keep",
    export: "admin_actions",
    why: "which administrator trained a model",
  },
  {
    table: "model_versions",
    column: "member_ids",
    deletion: "keep",
    export: null,
    why: "a trained model's rows are numbers, not history; the next training leaves the member out",
  },
  {
    table: "tunings",
    column: "created_by",
    deletion: "keep",
    export: "admin_actions",
    why: "which administrator tuned the model",
  },
  {
    table: "model_applications",
    column: "applied_by",
    deletion: "keep",
    export: "admin_actions",
    why: "which administrator applied a model",
  },
  {
    table: "notifications",
    column: "member_id",
    deletion: "delete",
    export: "notifications",
    why: "the member's notifications",
  },
  {
    table: "notifications",
    column: "actor_id",
    deletion: "delete",
    export: null,
    why: "others' notifications of the member's rooms and pings would name nobody",
  },
  {
    table: "notification_kinds_off",
    column: "member_id",
    deletion: "delete",
    export: "notification_settings",
    why: "the member's notification settings",
  },
  {
    table: "notification_mutes",
    column: "member_id",
    deletion: "delete",
    export: "notification_settings",
    why: "people the member muted",
  },
  {
    table: "notification_mutes",
    column: "muted_id",
    deletion: "delete",
    export: null,
    why: "who muted the member is theirs to know",
  },
  {
    table: "calendar_feeds",
    column: "user_id",
    deletion: "delete",
    export: "calendar_feed",
    why: "the member's calendar feed (only that one exists, never its address)",
  },
  {
    table: "suspensions",
    column: "member_id",
    deletion: "keep",
    export: "suspensions",
    why: "administrators keep suspensions: a troll does not wipe their record by leaving",
  },
  {
    table: "suspensions",
    column: "by_id",
    deletion: "keep",
    export: "admin_actions",
    why: "the administrators' record",
  },
  {
    table: "suspensions",
    column: "lifted_by",
    deletion: "keep",
    export: "admin_actions",
    why: "the administrators' record",
  },
  {
    table: "admin_log",
    column: "actor_id",
    deletion: "keep",
    export: "admin_actions",
    why: "the audit log stays whole, the actor shown as a deleted member",
  },
  {
    table: "admin_log",
    column: "member_id",
    deletion: "keep",
    export: "admin_actions_about",
    why: "the audit log stays whole, the member shown as a deleted member",
  },
  {
    table: "data_exports",
    column: "member_id",
    deletion: "delete",
    export: null,
    why: "the member's exports of their data: the export does not list itself",
  },
  {
    table: "member_warnings",
    column: "member_id",
    deletion: "delete",
    export: "warnings",
    why: "warnings were the member's to read; the audit log keeps that one was given",
  },
  {
    table: "member_warnings",
    column: "by_id",
    deletion: "keep",
    export: "admin_actions",
    why: "the administrators' record",
  },
];

/**
 * The hallway: where a member lands. Rooms arrive with the live-rooms work; until then it
 * says plainly that nothing is live and what to do meanwhile.
 *
 * @example
 * <HallwayView displayName="Ada" topics={["Jazz", "Chess"]} />
 */
export function HallwayView(props: { displayName: string; topics: string[] }) {
  return (
    <section class="hallway" aria-labelledby="hallway-title">
      <h1 id="hallway-title">Hallway</h1>
      <div class="empty" role="status">
        <p class="empty-title">No rooms are live right now</p>
        <p>
          Welcome, {props.displayName}. Rooms about{" "}
          {props.topics.length > 0 ? props.topics.join(", ") : "your topics"}{" "}
          will show up here when people start them.
        </p>
        <p class="actions">
          <a class="button secondary" href="/invites">Invite someone</a>
          <a class="button secondary" href="/topics">Change your topics</a>
        </p>
      </div>
    </section>
  );
}

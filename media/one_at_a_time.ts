/**
 * A queue that runs async work one piece at a time, in the order given: each starts when the
 * one before has settled, and a failure is its caller's alone (the queue goes on).
 *
 * @example
 * const negotiations = new OneAtATime();
 * const answer = await negotiations.run(() => answerOffer(offer));
 */
export class OneAtATime {
  #last: Promise<unknown> = Promise.resolve();
  #waiting = 0;

  /** Pieces of work started or waiting to start. */
  get pending(): number {
    return this.#waiting;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    this.#waiting++;
    const turn = this.#last.then(work).finally(() => this.#waiting--);
    this.#last = turn.catch(() => {});
    return turn;
  }
}

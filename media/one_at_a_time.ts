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

  run<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.#last.then(work);
    this.#last = turn.catch(() => {});
    return turn;
  }
}

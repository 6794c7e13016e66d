/**
 * The one error type for signalling the media plane refuses, with a code routes can map to a
 * status and a readable message.
 *
 * @example
 * throw new MediaError("bad_signal", "Offer has no audio");
 */
export type MediaErrorCode = "bad_signal" | "room_closed";

export class MediaError extends Error {
  constructor(readonly code: MediaErrorCode, message: string) {
    super(message);
    this.name = "MediaError";
  }
}

/**
 * Sending on and closing a WebSocket that may have closed under us: the close handler of its
 * page or voice socket does the cleaning up, so here a failure is nothing to report.
 *
 * @example
 * sendQuietly(page.ws, JSON.stringify(frame));
 * closeQuietly(page.ws, 1000, "Not in this room");
 */
import type { WSContext } from "hono/ws";

/** Sends `data` unless the socket is already gone. */
export function sendQuietly(
  ws: WSContext,
  data: string | ArrayBuffer | Uint8Array<ArrayBuffer>,
): void {
  try {
    ws.send(data);
  } catch {
    // The socket closed under us; its close handler cleans up.
  }
}

/** Closes the socket with `code` and `reason`, unless it is already closed. */
export function closeQuietly(ws: WSContext, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}

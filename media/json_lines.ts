/**
 * JSON lines, how media processes (and the test lab) talk over stdin and stdout: one JSON value
 * per line, read back in order.
 *
 * @example
 * for await (const message of jsonLines(Deno.stdin.readable)) handle(message);
 * await Deno.stdout.write(jsonLine({ op: "answer", call: 1 }));
 */

const encoder = new TextEncoder();

/** Each JSON value of `stream`, a line at a time, until it ends. */
export async function* jsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      yield JSON.parse(line);
    }
  }
}

/** `value` as one line of bytes. */
export function jsonLine(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value) + "\n");
}

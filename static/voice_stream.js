// A room's stream for a listener without a WebRTC connection of their own: batches of Opus
// packets on the voice socket (media/broadcast.ts), decoded by the browser's WebCodecs
// AudioDecoder and played by a small jitter buffer in an AudioWorklet (voice_worklet.js), out
// through the page's <audio> element so the volume and the output work as for WebRTC.

const sampleRate = 48000;
const packetMicros = 20000;

/** Whether this browser can play the stream (WebCodecs and AudioWorklet need a secure page). */
export function canStream() {
  return typeof AudioDecoder === "function" && typeof AudioWorkletNode === "function" &&
    globalThis.isSecureContext;
}

export class StreamPlayer {
  #player;
  #context = null;
  #node = null;
  #decoder = null;

  constructor(player) {
    this.#player = player;
  }

  /** `format`: the server's stream frame (media/stream_format.ts), with its playout buffer. */
  async start(format) {
    const context = new AudioContext({ sampleRate, latencyHint: "interactive" });
    this.#context = context;
    await context.audioWorklet.addModule("/static/voice_worklet.js");
    if (this.#context !== context) return; // stopped while loading
    const node = new AudioWorkletNode(context, "palabre-stream", {
      outputChannelCount: [1],
      processorOptions: {
        startSamples: Math.round(format.startMs * sampleRate / 1000),
        floorSamples: Math.round(format.floorMs * sampleRate / 1000),
        maxSamples: Math.round(format.maxMs * sampleRate / 1000),
      },
    });
    const output = context.createMediaStreamDestination();
    node.connect(output);
    this.#node = node;
    // The caller plays the element: a browser may refuse until the member taps the page.
    this.#player.srcObject = output.stream;
    this.#decoder = new AudioDecoder({
      output: (data) => {
        const pcm = new Float32Array(data.numberOfFrames);
        data.copyTo(pcm, { planeIndex: 0, format: "f32-planar" });
        data.close();
        node.port.postMessage(pcm, [pcm.buffer]);
      },
      error: (error) => console.warn("Voice stream:", error.message),
    });
    this.#decoder.configure({ codec: "opus", sampleRate, numberOfChannels: 1 });
  }

  /** One binary message from the socket: version, count, first sequence, packets. */
  push(buffer) {
    if (!this.#decoder || this.#decoder.state !== "configured") return;
    const view = new DataView(buffer);
    if (buffer.byteLength < 6 || view.getUint8(0) !== 1) return;
    const count = view.getUint8(1);
    let sequence = view.getUint32(2);
    let at = 6;
    for (let i = 0; i < count; i++, sequence++) {
      const length = view.getUint16(at);
      const data = new Uint8Array(buffer, at + 2, length);
      at += 2 + length;
      this.#decoder.decode(
        new EncodedAudioChunk({ type: "key", timestamp: sequence * packetMicros, data }),
      );
    }
  }

  /** After the member's tap: a context the browser held suspended starts. */
  resume() {
    this.#context?.resume().catch((error) => console.info("Voice stream:", error.message));
  }

  stop() {
    if (this.#decoder?.state === "configured") this.#decoder.close();
    this.#decoder = null;
    this.#node?.disconnect();
    this.#node = null;
    this.#context?.close();
    this.#context = null;
  }
}

// The stream's jitter buffer, on the audio thread: decoded chunks in, 128 samples out per
// render quantum. It waits for `startSamples` before playing (and again after running dry),
// drops what it held above `floorSamples` (plus 20 ms) all through a second of playing (a late
// batch made it wait: the delay goes again), and drops the oldest audio beyond `maxSamples`, so
// neither a late batch nor a burst after a stall adds latency for good. All three come from the
// server's stream format (media/stream_format.ts); bench/page_playout.ts runs the same rules.

const sampleRate = 48000;
const slackSamples = 960; // 20 ms

class StreamPlayback extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { startSamples, floorSamples, maxSamples } = options.processorOptions;
    this.startSamples = startSamples;
    this.floorSamples = floorSamples;
    this.maxSamples = maxSamples;
    this.windowPlayed = 0;
    this.windowLowest = Infinity;
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    this.playing = false;
    this.port.onmessage = (event) => {
      this.chunks.push(event.data);
      this.buffered += event.data.length;
      while (this.buffered - this.offset > this.maxSamples && this.chunks.length > 1) {
        this.buffered -= this.chunks.shift().length;
        this.offset = 0;
      }
    };
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    if (!this.playing && this.buffered - this.offset >= this.startSamples) this.playing = true;
    let written = 0;
    while (this.playing && written < out.length && this.chunks.length > 0) {
      const chunk = this.chunks[0];
      const n = Math.min(out.length - written, chunk.length - this.offset);
      out.set(chunk.subarray(this.offset, this.offset + n), written);
      written += n;
      this.offset += n;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.buffered -= chunk.length;
        this.offset = 0;
      }
    }
    if (written < out.length) {
      out.fill(0, written);
      this.playing = false;
      this.windowPlayed = 0;
      this.windowLowest = Infinity;
      return true;
    }
    this.windowLowest = Math.min(this.windowLowest, this.buffered - this.offset);
    this.windowPlayed += written;
    if (this.windowPlayed >= sampleRate) {
      if (this.windowLowest > this.floorSamples + slackSamples) {
        this.drop(this.windowLowest - this.floorSamples);
      }
      this.windowPlayed = 0;
      this.windowLowest = Infinity;
    }
    return true;
  }

  /** Drops `samples` of the oldest audio held. */
  drop(samples) {
    let left = samples;
    while (left > 0 && this.chunks.length > 0) {
      const rest = this.chunks[0].length - this.offset;
      if (rest <= left) {
        this.buffered -= this.chunks.shift().length;
        this.offset = 0;
        left -= rest;
      } else {
        this.offset += left;
        left = 0;
      }
    }
  }
}

registerProcessor("palabre-stream", StreamPlayback);

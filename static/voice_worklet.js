// The stream's jitter buffer, on the audio thread: decoded chunks in, 128 samples out per
// render quantum. When it starts, what it drops and how much it may hold are the playout rules
// (playout.js, which bench/page_playout.ts runs too), here in samples; the levels come from
// the server's stream format (media/stream_format.ts).
import { PlayoutRules } from "./playout.js";

const samplesPerMs = 48; // 48 kHz

class StreamPlayback extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { startSamples, floorSamples, maxSamples } = options.processorOptions;
    this.rules = new PlayoutRules({
      start: startSamples,
      floor: floorSamples,
      max: maxSamples,
      perMs: samplesPerMs,
    });
    /** Samples played since the start, the clock of the rules' windows. */
    this.played = 0;
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    this.playing = false;
    this.port.onmessage = (event) => {
      this.chunks.push(event.data);
      this.buffered += event.data.length;
      while (this.rules.overflows(this.buffered - this.offset) && this.chunks.length > 1) {
        this.buffered -= this.chunks.shift().length;
        this.offset = 0;
      }
    };
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    if (!this.playing && this.rules.canStart(this.buffered - this.offset)) this.playing = true;
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
      this.rules.restart(this.played);
      return true;
    }
    this.played += written;
    const excess = this.rules.excess(this.buffered - this.offset, this.played);
    if (excess > 0) this.drop(excess);
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

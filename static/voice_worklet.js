// The stream's jitter buffer, on the audio thread: decoded chunks in, 128 samples out per
// render quantum. It waits for `startSamples` before playing (and again after running dry), and
// drops the oldest audio beyond `maxSamples`, so a burst after a stall never adds latency for
// good.

const startSamples = 4800; // 100 ms at 48 kHz: a batch (60 ms) plus room for a late one
const maxSamples = 14400; // 300 ms

class StreamPlayback extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    this.playing = false;
    this.port.onmessage = (event) => {
      this.chunks.push(event.data);
      this.buffered += event.data.length;
      while (this.buffered - this.offset > maxSamples && this.chunks.length > 1) {
        this.buffered -= this.chunks.shift().length;
        this.offset = 0;
      }
    };
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    if (!this.playing && this.buffered - this.offset >= startSamples) this.playing = true;
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
    }
    return true;
  }
}

registerProcessor("palabre-stream", StreamPlayback);

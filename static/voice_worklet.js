// The stream's jitter buffer, on the audio thread: decoded chunks in, 128 samples out per
// render quantum. It waits for `startSamples` before playing (and again after running dry), and
// drops the oldest audio beyond `maxSamples`, so a burst after a stall never adds latency for
// good. Both come from the server's stream format (media/stream_format.ts).

class StreamPlayback extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { startSamples, maxSamples } = options.processorOptions;
    this.startSamples = startSamples;
    this.maxSamples = maxSamples;
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
    }
    return true;
  }
}

registerProcessor("palabre-stream", StreamPlayback);

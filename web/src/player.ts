/**
 * Playback of buffers we rendered ourselves (Web Audio only plays; it never processes the
 * deliverable). Mix (A) and master (B) play together from the same start time through two gain
 * nodes, so switching A/B is a gain change (a 5 ms ramp against clicks): instant, and the
 * playhead is shared by construction. Loudness matching turns the louder side down by the
 * measured integrated-loudness difference (BS.1770-4), so louder never fools the ear.
 */
const SWITCH_RAMP_S = 0.005;

export class Player {
  private context: AudioContext | null = null;
  private buffers: { A: AudioBuffer | null; B: AudioBuffer | null } = { A: null, B: null };
  private sources: AudioBufferSourceNode[] = [];
  private gains: { A: GainNode | null; B: GainNode | null } = { A: null, B: null };
  private startedAt = 0;
  private offsetS = 0;
  side: "A" | "B" = "B";
  playing = false;
  /** Master level minus mix level, LU (integrated); the matching gains come from it. */
  private differenceLu = 0;
  matched = true;
  private sampleRateHz = 48000;
  onEnded: () => void = () => {};

  /** Creates (or re-creates at a new rate) the AudioContext; call from a user gesture when possible. */
  ensureContext(sampleRateHz: number): AudioContext {
    if (this.context && this.sampleRateHz === sampleRateHz) return this.context;
    void this.context?.close();
    this.sampleRateHz = sampleRateHz;
    // The context runs at the file's rate: our buffers are played as rendered (the browser may
    // still resample to the device at its output, which only affects what the speaker gets).
    this.context = new AudioContext({ sampleRate: sampleRateHz, latencyHint: "interactive" });
    return this.context;
  }

  get durationS(): number {
    return (this.buffers.A ?? this.buffers.B)?.duration ?? 0;
  }

  setMix(channels: Float32Array[], sampleRateHz: number): void {
    this.stop();
    this.offsetS = 0;
    this.buffers = { A: this.toBuffer(channels, sampleRateHz), B: null };
  }

  /** Replaces the master buffer (or a part of it, from `startFrame`), keeping the playhead. */
  setMaster(channels: Float32Array[], startFrame = 0): void {
    const context = this.context;
    const mix = this.buffers.A;
    if (!context || !mix) return;
    let buffer: AudioBuffer;
    if (startFrame === 0 && channels[0].length === mix.length) {
      buffer = this.toBuffer(channels, mix.sampleRate);
    } else {
      // A section: into a buffer of the mix's length, so the timeline stays the mix's; outside
      // the section it keeps the previous master (a control changed) or is silent (first render).
      buffer = context.createBuffer(mix.numberOfChannels, mix.length, mix.sampleRate);
      const previous = this.buffers.B;
      if (previous && previous.length === mix.length) {
        for (let c = 0; c < buffer.numberOfChannels; c++) buffer.copyToChannel(previous.getChannelData(c), c);
      }
      channels.forEach((ch, c) => buffer.copyToChannel(ch as Float32Array<ArrayBuffer>, c, startFrame));
    }
    this.buffers.B = buffer;
    if (this.playing) this.restart();
  }

  get hasMaster(): boolean {
    return this.buffers.B !== null;
  }

  setDifference(differenceLu: number): void {
    this.differenceLu = differenceLu;
    this.applyGains(false);
  }

  /** The matching gains in dB (A, B): the louder side is turned down, the quieter left alone. */
  matchGainsDb(): { A: number; B: number } {
    if (!this.matched) return { A: 0, B: 0 };
    const d = this.differenceLu;
    return d > 0 ? { A: 0, B: -d } : { A: d, B: 0 };
  }

  positionS(): number {
    if (!this.playing || !this.context) return this.offsetS;
    const t = this.offsetS + (this.context.currentTime - this.startedAt);
    return Math.min(t, this.durationS);
  }

  async play(): Promise<void> {
    if (!this.context || !this.buffers.A) return;
    if (this.context.state === "suspended") await this.context.resume();
    if (this.offsetS >= this.durationS - 0.05) this.offsetS = 0;
    this.start(this.offsetS);
  }

  pause(): void {
    if (!this.playing) return;
    this.offsetS = this.positionS();
    this.stop();
  }

  seek(seconds: number): void {
    this.offsetS = Math.max(0, Math.min(this.durationS, seconds));
    if (this.playing) this.start(this.offsetS);
  }

  toggleSide(): void {
    this.setSide(this.side === "A" ? "B" : "A");
  }

  setSide(side: "A" | "B"): void {
    this.side = side;
    this.applyGains(true);
  }

  setMatched(matched: boolean): void {
    this.matched = matched;
    this.applyGains(true);
  }

  private restart(): void {
    this.start(this.positionS());
  }

  private toBuffer(channels: Float32Array[], sampleRateHz: number): AudioBuffer {
    const context = this.ensureContext(sampleRateHz);
    const buffer = context.createBuffer(channels.length, channels[0].length, sampleRateHz);
    channels.forEach((ch, c) => buffer.copyToChannel(ch as Float32Array<ArrayBuffer>, c));
    return buffer;
  }

  private start(offsetS: number): void {
    const context = this.context;
    if (!context || !this.buffers.A) return;
    this.stop();
    const when = context.currentTime + 0.02;
    this.gains = { A: context.createGain(), B: context.createGain() };
    for (const side of ["A", "B"] as const) {
      const buffer = this.buffers[side];
      const gain = this.gains[side]!;
      gain.connect(context.destination);
      if (!buffer) continue;
      const source = context.createBufferSource();
      source.buffer = buffer;
      source.connect(gain);
      source.start(when, offsetS);
      this.sources.push(source);
    }
    this.sources[0].onended = () => {
      if (this.sources.length > 0 && this.positionS() >= this.durationS - 0.05) {
        this.offsetS = this.durationS;
        this.stop();
        this.onEnded();
      }
    };
    this.startedAt = when;
    this.offsetS = offsetS;
    this.playing = true;
    this.applyGains(false);
  }

  private stop(): void {
    for (const s of this.sources) {
      s.onended = null;
      try { s.stop(); } catch { /* never started */ }
      s.disconnect();
    }
    this.sources = [];
    this.gains.A?.disconnect();
    this.gains.B?.disconnect();
    this.gains = { A: null, B: null };
    this.playing = false;
  }

  private applyGains(ramp: boolean): void {
    const context = this.context;
    if (!context) return;
    const db = this.matchGainsDb();
    for (const side of ["A", "B"] as const) {
      const gain = this.gains[side];
      if (!gain) continue;
      // Until the master exists, B plays the mix (nothing to compare yet, but no silence).
      const heard = side === this.side || (side === "A" && !this.buffers.B);
      const value = heard ? Math.pow(10, db[side] / 20) : 0;
      if (ramp) gain.gain.setTargetAtTime(value, context.currentTime, SWITCH_RAMP_S / 3);
      else gain.gain.setValueAtTime(value, context.currentTime);
    }
  }
}

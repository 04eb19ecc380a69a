/** Checks shared by every header parser: the limits of types.ts, with one wording. */
import { MastersmithError } from "../core/codes.js";
import { MAX_CHANNELS, MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ } from "./types.js";

/** E_BAD_HEADER unless 1..64 channels and 1000..768000 Hz. */
export function checkFormat(file: string, channels: number, sampleRateHz: number): void {
  if (!(channels >= 1 && channels <= MAX_CHANNELS)) {
    throw new MastersmithError("E_BAD_HEADER", { file, detail: `${channels} channels (1 to ${MAX_CHANNELS} supported)` });
  }
  if (!(sampleRateHz >= MIN_SAMPLE_RATE_HZ && sampleRateHz <= MAX_SAMPLE_RATE_HZ)) {
    throw new MastersmithError("E_BAD_HEADER", {
      file, detail: `sample rate ${sampleRateHz} Hz (${MIN_SAMPLE_RATE_HZ} to ${MAX_SAMPLE_RATE_HZ} Hz supported)`,
    });
  }
}

/** Four ASCII bytes at `offset` as a string (chunk and form identifiers). */
export function fourcc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

/** A chunk identifier safe to print in a message (control bytes become '?'). */
export function printable(id: string): string {
  return id.replace(/[^\x20-\x7e]/g, "?");
}

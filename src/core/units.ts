/** Unit conversions. Every quantity carries its unit in its name (STYLE.md, rule 6). */

/** Amplitude ratio to decibels: 20·log10(|x|). Zero gives -Infinity. */
export function linearToDb(amplitude: number): number {
  return 20 * Math.log10(Math.abs(amplitude));
}

/** Decibels to amplitude ratio: 10^(dB/20). */
export function dbToLinear(gainDb: number): number {
  return Math.pow(10, gainDb / 20);
}

/** Power ratio to decibels: 10·log10(p). */
export function powerToDb(power: number): number {
  return 10 * Math.log10(power);
}

/** Decibels to power ratio: 10^(dB/10). */
export function dbToPower(levelDb: number): number {
  return Math.pow(10, levelDb / 10);
}

/** Milliseconds to a whole number of frames at a sample rate (rounded to nearest). */
export function msToFrames(timeMs: number, sampleRateHz: number): number {
  return Math.round((timeMs * sampleRateHz) / 1000);
}

/** A finite number or null: loudness of silence is reported as null, never -Infinity. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

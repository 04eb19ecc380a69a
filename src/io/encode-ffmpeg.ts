/**
 * The system `ffmpeg` as an encoder back end (AAC-LC in M4A, Opus in Ogg): float samples stream
 * to its stdin, tags go through an ffmetadata file (no argument-length limit, so long values
 * and base64 pictures pass safely), the cover (where the container holds one) as a third input.
 */
import { writeFileSync } from "node:fs";
import { checkTarget, partialName, PipeEncoder, pipedEncoder, requireTool, type Encoder } from "./encode-common.js";
import { ffmetadata, type Tags } from "./tags.js";

export interface FfmpegJob {
  sampleRateHz: number;
  channels: number;
  /** Output options after the inputs: codec, bitrate, muxer ("-f"). */
  outputArgs: readonly string[];
  /** Global tags (ffmpeg metadata keys). */
  metadata: readonly [string, string][];
  /** A cover image to attach as a picture stream (MP4 `covr`). */
  coverPath?: string;
  force?: boolean;
  purpose: string;
  /** Post-processing of the finished partial file before it is renamed (gapless tags...). */
  finish?: (partial: string, framesWritten: number) => void;
}

export function createFfmpegEncoder(path: string, job: FfmpegJob): Encoder {
  const tool = requireTool("ffmpeg", path, job.purpose);
  checkTarget(path, job.force === true);
  const partial = partialName(path);
  const metaPath = `${partial}.ffmeta`;
  writeFileSync(metaPath, ffmetadata(job.metadata));
  const args = ["-hide_banner", "-nostats", "-loglevel", "error",
    "-f", "f32le", "-ar", String(job.sampleRateHz), "-ac", String(job.channels), "-i", "pipe:0",
    "-f", "ffmetadata", "-i", metaPath];
  if (job.coverPath !== undefined) args.push("-i", job.coverPath);
  args.push("-map", "0:a", "-map_metadata", "1");
  if (job.coverPath !== undefined) args.push("-map", "2:v", "-c:v", "copy", "-disposition:v:0", "attached_pic");
  args.push(...job.outputArgs, partial);
  const pipe = new PipeEncoder(path, tool, args, job.channels, "f32");
  return pipedEncoder(path, partial, pipe, job.force === true, job.finish, [metaPath]);
}

/** Tags under ffmpeg's generic names (mapped by each muxer to its own atoms or comments). */
export function ffmpegTagFields(t: Tags): [string, string][] {
  const out: [string, string][] = [];
  const add = (k: string, v: string | undefined) => { if (v !== undefined && v !== "") out.push([k, v]); };
  add("title", t.title);
  add("artist", t.artist);
  add("album", t.album);
  add("album_artist", t.albumArtist);
  add("track", t.track);
  add("date", t.year);
  add("genre", t.genre);
  add("comment", t.comment);
  return out;
}

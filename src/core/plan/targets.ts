/**
 * Loudness targets: a platform's (or standard's) integrated loudness and true-peak ceiling, with
 * the source of every number (DESIGN.md, "Targets"). This table is data: the report prints it,
 * the planner resolves the user's `target` / `lufs` / `ceiling` against it.
 */
import type { MasterIntent, ResolvedTarget, TargetName } from "./types.js";

/**
 * How a service treats a master on playback (with its normalization on, the default):
 * - "down": loud masters are turned down to the target, quiet ones are left as they are;
 * - "both-peak": turned down, and quiet masters turned up only as far as the true peak stays at
 *   or under the ceiling (our model of Apple Sound Check: Apple documents normalization both
 *   ways but does not add a limiter, so positive gain cannot push peaks past full scale; we
 *   assume it stops at the -1 dBTP ceiling it asks masters to respect);
 * - "both": a broadcaster/producer brings every programme to the target (EBU R128, ATSC A/85);
 * - "none": played as delivered (SoundCloud, CD, club).
 */
export type Normalization = "down" | "both-peak" | "both" | "none";

export interface PlatformTarget {
  readonly name: TargetName;
  readonly label: string;
  readonly integratedLufs: number;
  readonly ceilingDbtp: number;
  readonly normalization: Normalization;
  /** Where the numbers come from. */
  readonly source: string;
}

export const TARGETS: Readonly<Record<TargetName, PlatformTarget>> = {
  spotify: {
    name: "spotify", label: "Spotify", integratedLufs: -14, ceilingDbtp: -1, normalization: "down",
    source: "Spotify for Artists, 'Loudness normalization' (support article): playback at -14 LUFS; masters should keep true peaks under -1 dBTP, under -2 dBTP when louder than -14 LUFS (lossy encoding adds peaks)",
  },
  apple: {
    name: "apple", label: "Apple Music", integratedLufs: -16, ceilingDbtp: -1, normalization: "both-peak",
    source: "Apple, 'Apple Digital Masters' technical brief: Sound Check normalizes to -16 LUFS; true peak at most -1 dBTP for clean AAC encodes",
  },
  youtube: {
    name: "youtube", label: "YouTube", integratedLufs: -14, ceilingDbtp: -1, normalization: "down",
    source: "YouTube publishes no figure: -14 LUFS is the level its 'content loudness' (Stats for nerds) turns loud uploads down to, as widely measured; -1 dBTP for its lossy (AAC/Opus) encodes",
  },
  amazon: {
    name: "amazon", label: "Amazon Music", integratedLufs: -14, ceilingDbtp: -2, normalization: "down",
    source: "Amazon Music publishes no normalization figure we can cite: -14 LUFS is the commonly measured playback level; -2 dBTP is the conservative ceiling (the one Spotify asks of loud masters) because its lower-bitrate streams overshoot more",
  },
  tidal: {
    name: "tidal", label: "Tidal", integratedLufs: -14, ceilingDbtp: -1, normalization: "down",
    source: "TIDAL support, loudness normalization: -14 LUFS (turn-down only, as measured); -1 dBTP for its lossy tiers",
  },
  deezer: {
    name: "deezer", label: "Deezer", integratedLufs: -15, ceilingDbtp: -1, normalization: "down",
    source: "Deezer normalizes to -15 LUFS (its published loudness setting, as widely reported); -1 dBTP for its MP3/FLAC streams",
  },
  soundcloud: {
    name: "soundcloud", label: "SoundCloud", integratedLufs: -14, ceilingDbtp: -1, normalization: "none",
    source: "SoundCloud does not normalize: -14 LUFS / -1 dBTP keeps the master at the level of the normalized services, so it translates if re-uploaded elsewhere",
  },
  "ebu-r128": {
    name: "ebu-r128", label: "EBU R128 broadcast", integratedLufs: -23, ceilingDbtp: -1, normalization: "both",
    source: "EBU R128 (2020) §2: programme loudness -23.0 LUFS (±0.5 LU), maximum permitted true peak -1 dBTP",
  },
  "atsc-a85": {
    name: "atsc-a85", label: "ATSC A/85 (US broadcast)", integratedLufs: -24, ceilingDbtp: -2, normalization: "both",
    source: "ATSC A/85:2013 §5.1: target loudness -24 LKFS; true peak at most -2 dBTP",
  },
  podcast: {
    name: "podcast", label: "Podcast", integratedLufs: -16, ceilingDbtp: -1, normalization: "both-peak",
    source: "AES TD1004.1.15-10 (-16 to -20 LUFS for streaming/network playback, -16 for mobile listening) and Apple Podcasts' guidance (-16 LKFS ±1 dB, true peak at most -1 dBFS)",
  },
  cd: {
    name: "cd", label: "CD (loud)", integratedLufs: -9, ceilingDbtp: -0.3, normalization: "none",
    source: "No standard: a CD is played as pressed. -9 LUFS is a loud but not crushed modern pop/rock CD level (dev02 of our corpus, a dense loud master, measures -9.6); -0.3 dBTP leaves room for converter and sample-rate-converter overs. Tune to taste",
  },
  club: {
    name: "club", label: "Club / DJ", integratedLufs: -8, ceilingDbtp: -0.3, normalization: "none",
    source: "No standard: DJ sets are not normalized and tracks are level-matched by ear, so dance masters run loud; -8 LUFS with a -0.3 dBTP ceiling. Tune to taste",
  },
};

export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];
export const DEFAULT_TARGET: TargetName = "spotify";

/** Spotify asks for -2 dBTP when the master is louder than its -14 LUFS playback level. */
export const SPOTIFY_LOUD_CEILING_DBTP = -2;

/**
 * The target for an intent. Precedence: the user's `lufs`/`ceiling` win over everything; with
 * references and no platform target or `lufs`, the references' mean integrated loudness is the
 * target ("reference", ceiling -1 unless given); otherwise the platform (default Spotify).
 */
export function resolveTarget(intent: MasterIntent, referenceLufs?: number | null): ResolvedTarget {
  const useReference = intent.target === undefined && intent.lufs === undefined && referenceLufs !== undefined && referenceLufs !== null;
  if (useReference) {
    return {
      name: "reference",
      integratedLufs: referenceLufs,
      ceilingDbtp: intent.ceiling ?? -1,
      source: `the reference's integrated loudness${intent.ceiling === undefined ? "; -1 dBTP ceiling (the streaming services' common ceiling)" : "; ceiling from the user"}`,
    };
  }
  const platform = TARGETS[intent.target ?? DEFAULT_TARGET];
  if (intent.lufs === undefined && intent.ceiling === undefined) {
    return { name: platform.name, integratedLufs: platform.integratedLufs, ceilingDbtp: platform.ceilingDbtp, source: platform.source };
  }
  const integratedLufs = intent.lufs ?? platform.integratedLufs;
  let ceilingDbtp = intent.ceiling ?? platform.ceilingDbtp;
  let ceilingWhy = intent.ceiling !== undefined ? "ceiling from the user" : `ceiling from ${platform.label}`;
  if (intent.ceiling === undefined && platform.name === "spotify" && integratedLufs > platform.integratedLufs) {
    ceilingDbtp = SPOTIFY_LOUD_CEILING_DBTP;
    ceilingWhy = "ceiling -2 dBTP: Spotify asks for it when the master is louder than -14 LUFS";
  }
  return {
    name: "custom",
    integratedLufs,
    ceilingDbtp,
    source: `${intent.lufs !== undefined ? "loudness from the user" : `loudness from ${platform.label}`}; ${ceilingWhy}`,
  };
}

export interface PlaybackResult {
  readonly platform: TargetName;
  readonly label: string;
  /** The level the service plays at (its target). */
  readonly referenceLufs: number;
  /** Gain the service applies on playback, dB (negative: turned down). */
  readonly gainDb: number;
  readonly action: "turned down" | "turned up" | "kept";
  /** Loudness and true peak as heard (null for a silent master). */
  readonly playbackLufs: number | null;
  readonly playbackPeakDbtp: number | null;
}

/**
 * What every service does with a master of this loudness and true peak (see `Normalization`).
 * Gains under 0.05 dB count as "kept". Null loudness (silence) gives no gain anywhere.
 */
export function platformPlayback(integratedLufs: number | null, truePeakDbtp: number | null): PlaybackResult[] {
  return TARGET_NAMES.map((name): PlaybackResult => {
    const t = TARGETS[name];
    let gainDb = 0;
    if (integratedLufs !== null) {
      const toTarget = t.integratedLufs - integratedLufs;
      switch (t.normalization) {
        case "down": gainDb = Math.min(0, toTarget); break;
        case "both": gainDb = toTarget; break;
        case "both-peak": {
          const peakRoom = truePeakDbtp === null ? toTarget : t.ceilingDbtp - truePeakDbtp;
          gainDb = toTarget <= 0 ? toTarget : Math.max(0, Math.min(toTarget, peakRoom));
          break;
        }
        case "none": gainDb = 0; break;
      }
    }
    const rounded = Math.round(gainDb * 100) / 100;
    const action = Math.abs(gainDb) < 0.05 ? "kept" : gainDb < 0 ? "turned down" : "turned up";
    return {
      platform: name, label: t.label, referenceLufs: t.integratedLufs, gainDb: rounded, action,
      playbackLufs: integratedLufs === null ? null : integratedLufs + gainDb,
      playbackPeakDbtp: truePeakDbtp === null ? null : truePeakDbtp + gainDb,
    };
  });
}

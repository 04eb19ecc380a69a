/**
 * Channel roles and BS.1770-4 channel weights (ITU-R BS.1770-4 §2.4, Table 3).
 *
 * The layout comes from the WAVE_FORMAT_EXTENSIBLE channel mask when the file has one (channels
 * appear in the order of the mask's set bits, lowest first), otherwise from the channel count:
 * 1 = mono, 2 = L R, 5 = L R C Ls Rs, 6 = L R C LFE Ls Rs (the SMPTE / WAVE order).
 */

export type ChannelRole = "L" | "R" | "C" | "LFE" | "Ls" | "Rs" | "other";

// WAVE_FORMAT_EXTENSIBLE speaker bits (ksmedia.h), in the order they appear in a file.
const MASK_ROLES: readonly ChannelRole[] = [
  "L", // 0x1 SPEAKER_FRONT_LEFT
  "R", // 0x2 SPEAKER_FRONT_RIGHT
  "C", // 0x4 SPEAKER_FRONT_CENTER
  "LFE", // 0x8 SPEAKER_LOW_FREQUENCY
  "Ls", // 0x10 SPEAKER_BACK_LEFT
  "Rs", // 0x20 SPEAKER_BACK_RIGHT
  "other", // 0x40 FRONT_LEFT_OF_CENTER
  "other", // 0x80 FRONT_RIGHT_OF_CENTER
  "other", // 0x100 BACK_CENTER
  "Ls", // 0x200 SPEAKER_SIDE_LEFT
  "Rs", // 0x400 SPEAKER_SIDE_RIGHT
];

/** The role of each channel, from the channel mask when given (non-zero), else by count. */
export function channelRoles(channels: number, channelMask?: number): ChannelRole[] {
  const roles: ChannelRole[] = [];
  if (channelMask !== undefined && channelMask !== 0) {
    for (let bit = 0; bit < 32 && roles.length < channels; bit++) {
      if ((channelMask >>> bit) & 1) roles.push(bit < MASK_ROLES.length ? MASK_ROLES[bit] : "other");
    }
    while (roles.length < channels) roles.push("other");
    return roles;
  }
  switch (channels) {
    case 1: return ["C"];
    case 2: return ["L", "R"];
    case 5: return ["L", "R", "C", "Ls", "Rs"];
    case 6: return ["L", "R", "C", "LFE", "Ls", "Rs"];
    default: return new Array<ChannelRole>(channels).fill("other");
  }
}

/** BS.1770-4 Table 3 weight of one role: surrounds +1.5 dB (G = 1.41), LFE excluded. */
export function roleWeight(role: ChannelRole): number {
  switch (role) {
    case "Ls":
    case "Rs": return 1.41;
    case "LFE": return 0;
    default: return 1.0;
  }
}

/** G_i for each channel (BS.1770-4 Table 3); channels of unknown role weigh 1.0. */
export function channelWeights(channels: number, channelMask?: number): Float64Array {
  const roles = channelRoles(channels, channelMask);
  const weights = new Float64Array(channels);
  for (let c = 0; c < channels; c++) weights[c] = roleWeight(roles[c]);
  return weights;
}

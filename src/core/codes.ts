/**
 * Stable codes for errors and warnings (DESIGN.md, "Codes"). The CLI, the API and the web app
 * speak this one language: a code never changes meaning once published; messages may improve.
 */
export const ERROR_MESSAGES = {
  E_NOT_FOUND: "file not found",
  E_IS_DIRECTORY: "is a directory, not an audio file",
  E_READ_FAILED: "could not be read",
  E_EMPTY_FILE: "is empty",
  E_UNSUPPORTED_FORMAT: "is not in an audio format Mastersmith reads",
  E_UNSUPPORTED_CODEC: "uses an audio codec Mastersmith does not decode",
  E_TRUNCATED: "is truncated: the audio data ends before its header says",
  E_CORRUPT: "is corrupt",
  E_BAD_HEADER: "has an impossible header value",
  E_DECODER_UNAVAILABLE: "needs a decoder that is not installed",
  E_ENCODER_UNAVAILABLE: "needs an encoder that is not installed",
  E_OUTPUT_EXISTS: "already exists (use --force to overwrite)",
  E_WRITE_FAILED: "could not be written",
  E_BAD_ARGUMENT: "invalid argument",
  E_INVALID_CHAIN: "invalid chain specification",
  E_INTERNAL: "internal error",
  E_UPLOAD_TOO_LARGE: "is larger than the server's upload limit",
  E_BAD_UPLOAD: "is not a valid upload",
  E_JOB_NOT_FOUND: "no such job",
  E_ROUTE_NOT_FOUND: "no such API endpoint",
} as const;

export const WARNING_MESSAGES = {
  W_INPUT_CLIPPING: "the mix clips: runs of consecutive full-scale samples",
  W_LOW_HEADROOM: "the mix peaks very close to full scale",
  W_DC_OFFSET: "a DC offset is present",
  W_PHASE_ISSUE: "left and right are largely out of phase: the mix folds down badly to mono",
  W_ALREADY_LIMITED: "the mix is already heavily limited (low peak-to-loudness ratio)",
  W_TOO_QUIET: "the mix is very quiet",
  W_SILENT: "the file is silent",
  W_LEADING_SILENCE: "long silence at the start",
  W_TRAILING_SILENCE: "long silence at the end",
  W_MONO: "left and right are identical (mono in a stereo file)",
  W_LOW_SAMPLE_RATE: "sample rate below delivery standards",
  W_LOW_BIT_DEPTH: "bit depth below delivery standards",
  W_TARGET_TOO_LOUD: "the loudness target needs more limiting than this mix takes well",
  W_TARGET_MISSED: "the master misses its loudness target",
  W_LIMITER_AUDIBLE: "the limiter changes the signal audibly",
  W_CODEC_OVERS: "the decoded lossy file peaks over the ceiling",
  W_BOOMY: "the low end is boomy: too much energy in the bass",
  W_MUDDY: "the low mids are crowded (muddy)",
  W_HARSH: "the upper mids are harsh",
  W_SIBILANT: "sibilance is strong",
  W_HUM: "mains hum (50/60 Hz and harmonics) is present",
  W_NOISE: "a steady noise floor (hiss) is audible in quiet passages",
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;
export type WarningCode = keyof typeof WARNING_MESSAGES;

/** A diagnostic as reported in JSON: a stable code and a readable message. */
export interface Diagnostic {
  readonly code: WarningCode;
  readonly message: string;
}

/**
 * The one error type Mastersmith throws on purpose. `file` names the file concerned, when there is
 * one; `detail` says what exactly was wrong ("data chunk claims 4000000000 bytes, file has 812").
 */
export class MastersmithError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, options: { file?: string; detail?: string; cause?: unknown } = {}) {
    const subject = options.file === undefined ? "" : `${options.file}: `;
    const detail = options.detail === undefined ? "" : ` (${options.detail})`;
    super(`${subject}${ERROR_MESSAGES[code]}${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MastersmithError";
    this.code = code;
    this.file = options.file;
    this.detail = options.detail;
  }

  /** The same error with the file name filled in (for errors raised below the file layer). */
  withFile(file: string): MastersmithError {
    if (this.file !== undefined) return this;
    return new MastersmithError(this.code, { file, detail: this.detail, cause: this.cause });
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isMastersmithError(e: unknown): e is MastersmithError {
  return e instanceof MastersmithError;
}

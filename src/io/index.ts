/** src/io public surface: readers (sniffed by content) and the streaming WAV writer. */
export type { AudioInfo, AudioReader, Container } from "./types.js";
export { openAudioFile, sniffFormat } from "./open.js";
export { createWavWriter, type WavWriter, type WavWriterOptions } from "./wav-writer.js";

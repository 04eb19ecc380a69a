/**
 * The job API client (issue 6, "The API"): POST /api/jobs (multipart: `file`, optional
 * `reference`, `options` as JSON with the CLI's option names in camelCase), then
 * GET /api/jobs/:id until done, files from GET /api/jobs/:id/files/:name. Errors come back as
 * { error: { code, message } } with the CLI's stable codes.
 */
export class ApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface JobFile {
  readonly name: string;
  readonly url: string;
  readonly sizeBytes?: number;
}

export interface JobState {
  readonly id: string;
  readonly status: string;
  /** 0..1 */
  readonly progress: number;
  readonly report: unknown;
  readonly files: JobFile[];
  readonly error: { code: string; message: string } | null;
}

const DONE = new Set(["done", "completed", "complete", "succeeded", "success", "finished"]);
const FAILED = new Set(["failed", "error", "errored", "cancelled", "canceled"]);

export function isDone(job: JobState): boolean { return DONE.has(job.status); }
export function isFailed(job: JobState): boolean { return FAILED.has(job.status); }

async function errorOf(response: Response | { status: number; text: string }): Promise<ApiError> {
  const text = response instanceof Response ? await response.text() : response.text;
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.code) return new ApiError(body.error.code, body.error.message ?? body.error.code);
  } catch { /* not JSON */ }
  return new ApiError("E_INTERNAL", `the server answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
}

/** Uploads with progress (fetch has no upload progress; XMLHttpRequest does). Returns the job id. */
export function createJob(file: File, reference: File | null, options: Record<string, unknown>, onProgress: (fraction: number) => void): Promise<string> {
  const form = new FormData();
  form.append("options", JSON.stringify(options));
  if (reference) form.append("reference", reference, reference.name);
  form.append("file", file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/jobs");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError("E_INTERNAL", "the upload failed: the server is not reachable"));
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          const body = JSON.parse(xhr.responseText) as { id?: string | number };
          if (body.id !== undefined) { onProgress(1); resolve(String(body.id)); return; }
        } catch { /* fall through */ }
        reject(new ApiError("E_INTERNAL", "the server's answer has no job id"));
        return;
      }
      void errorOf({ status: xhr.status, text: xhr.responseText }).then(reject);
    };
    xhr.send(form);
  });
}

function normalizeFiles(id: string, files: unknown): JobFile[] {
  if (!Array.isArray(files)) return [];
  return files.map((f: unknown) => {
    const name = typeof f === "string" ? f : String((f as { name?: string }).name ?? "");
    const given = typeof f === "object" && f !== null ? (f as { url?: string }).url : undefined;
    const size = typeof f === "object" && f !== null ? (f as { sizeBytes?: number; size?: number }).sizeBytes ?? (f as { size?: number }).size : undefined;
    return { name, url: given ?? `/api/jobs/${encodeURIComponent(id)}/files/${encodeURIComponent(name)}`, sizeBytes: size };
  }).filter((f) => f.name !== "");
}

export async function getJob(id: string): Promise<JobState> {
  const response = await fetch(`/api/jobs/${encodeURIComponent(id)}`, { cache: "no-store" });
  if (!response.ok) throw await errorOf(response);
  const body = await response.json() as Record<string, unknown>;
  const job = (body.job ?? body) as Record<string, unknown>;
  let progress = typeof job.progress === "number" ? job.progress
    : typeof (job.progress as { fraction?: number } | undefined)?.fraction === "number" ? (job.progress as { fraction: number }).fraction : 0;
  if (progress > 1) progress /= 100;
  const error = (job.error ?? null) as { code: string; message: string } | null;
  return { id, status: String(job.status ?? job.state ?? "unknown"), progress, report: job.report ?? null,
    files: normalizeFiles(id, job.files ?? job.outputs), error };
}

/** Polls until the job is done or failed; `onUpdate` on every poll. */
export async function waitForJob(id: string, onUpdate: (job: JobState) => void): Promise<JobState> {
  for (;;) {
    const job = await getJob(id);
    onUpdate(job);
    if (isDone(job)) return job;
    if (isFailed(job)) throw new ApiError(job.error?.code ?? "E_INTERNAL", job.error?.message ?? `the job ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

/**
 * The API's OpenAPI 3.1 document, served at /api/openapi.json. It is the contract the page (web/)
 * and any other client are written against; the server tests check the routes it lists.
 */
import { ERROR_MESSAGES } from "../core/codes.js";
import { TARGET_NAMES } from "../core/plan/targets.js";
import { OUTPUT_KIND_NAMES, STYLE_NAMES } from "./options.js";

const percent = (description: string) => ({ type: "number", minimum: 0, maximum: 100, description });

export function openApiDocument(limits: { maxUploadBytes: number; maxReferences: number }): object {
  const errorResponse = (description: string) => ({
    description,
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  });
  const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  return {
    openapi: "3.1.0",
    info: {
      title: "Mastersmith job API",
      version: "1",
      description:
        "Upload a mix, let the assistant master it (analyze, plan, render, verify, encode) in the server's " +
        "worker pool, poll the job, download the outputs and the report. Jobs and files survive a restart. " +
        "Every error is `{ \"error\": { \"code\", \"message\" } }` with the same stable codes as the CLI. " +
        `Uploads are limited to ${limits.maxUploadBytes} bytes per file (GET /api/config).`,
    },
    paths: {
      "/api/config": {
        get: {
          summary: "Server limits and the accepted option values (check a file's size before uploading it)",
          responses: { 200: { description: "Limits", content: { "application/json": { schema: { $ref: "#/components/schemas/Config" } } } } },
        },
      },
      "/api/jobs": {
        post: {
          summary: "Create a job from an uploaded mix",
          description:
            "Multipart form: `file` (the mix, any format `analyze` reads; the content is sniffed, the name is only a label), " +
            `up to ${limits.maxReferences} \`reference\` files (reference tracks), and \`options\` (JSON text). ` +
            "Analysis only (the page's first view): `{\"analyzeOnly\": true}`; the report is then the analysis and there are no audio outputs.",
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object",
                  required: ["file"],
                  properties: {
                    file: { type: "string", format: "binary" },
                    reference: { type: "array", items: { type: "string", format: "binary" }, maxItems: limits.maxReferences },
                    options: { type: "string", contentMediaType: "application/json", contentSchema: { $ref: "#/components/schemas/JobOptions" } },
                  },
                },
              },
            },
          },
          responses: {
            201: { description: "Job queued", content: { "application/json": { schema: { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } } } } },
            400: errorResponse("E_BAD_UPLOAD (not multipart, no `file`, unknown field), E_BAD_ARGUMENT (bad options), E_EMPTY_FILE"),
            413: errorResponse("E_UPLOAD_TOO_LARGE"),
            415: errorResponse("E_UNSUPPORTED_FORMAT, E_UNSUPPORTED_CODEC"),
            422: errorResponse("E_TRUNCATED, E_CORRUPT, E_BAD_HEADER: the file is audio but unreadable"),
          },
        },
        get: {
          summary: "List jobs, newest first",
          responses: { 200: { description: "Jobs", content: { "application/json": { schema: { type: "object", properties: { jobs: { type: "array", items: { $ref: "#/components/schemas/JobSummary" } } } } } } } },
        },
      },
      "/api/jobs/{id}": {
        parameters: [idParam],
        get: {
          summary: "A job: status, progress, the report (once done) and the output files",
          responses: {
            200: { description: "The job", content: { "application/json": { schema: { $ref: "#/components/schemas/Job" } } } },
            404: errorResponse("E_JOB_NOT_FOUND"),
          },
        },
        delete: {
          summary: "Stop the job if it runs and delete it with all its files",
          responses: { 204: { description: "Deleted" }, 404: errorResponse("E_JOB_NOT_FOUND") },
        },
      },
      "/api/jobs/{id}/files/{name}": {
        parameters: [idParam, { name: "name", in: "path", required: true, schema: { type: "string" }, description: "A name from the job's `files`" }],
        get: {
          summary: "Download one output file (report.json included)",
          responses: {
            200: { description: "The file", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
            404: errorResponse("E_JOB_NOT_FOUND, E_NOT_FOUND (no such output, or the job is not done)"),
          },
        },
      },
      "/api/openapi.json": { get: { summary: "This document", responses: { 200: { description: "OpenAPI 3.1" } } } },
    },
    components: {
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: { code: { type: "string", enum: Object.keys(ERROR_MESSAGES) }, message: { type: "string" } },
            },
          },
        },
        JobOptions: {
          type: "object",
          additionalProperties: false,
          description: "The CLI's option names in camelCase. Every key is optional.",
          properties: {
            target: { type: "string", enum: TARGET_NAMES, description: "Platform target (default spotify)" },
            lufs: { type: "number", minimum: -70, maximum: 0, description: "Integrated loudness target, LUFS (overrides the target's)" },
            ceiling: { type: "number", minimum: -20, maximum: 0, description: "True-peak ceiling, dBTP" },
            style: { type: "string", enum: STYLE_NAMES },
            intensity: percent("0..100 (default 50)"),
            eqAmount: percent("% of the proposed tonal change applied"),
            dynamicsAmount: percent("% of the proposed dynamics change applied"),
            widthAmount: percent("% of the proposed stereo change applied"),
            width: { type: "number", minimum: 0, maximum: 200, description: "Stereo width, % (100 = as mixed)" },
            monoBass: { type: "number", minimum: 20, maximum: 500, description: "Mono below this frequency, Hz" },
            outputs: { type: "array", items: { type: "string", enum: OUTPUT_KIND_NAMES }, minItems: 1, description: "Deliverables (default [\"wav24\"])" },
            analyzeOnly: { type: "boolean", description: "Only analyze: the report is the analysis, no audio outputs" },
          },
        },
        JobStatus: { type: "string", enum: ["queued", "running", "done", "failed"] },
        Progress: {
          type: "object",
          required: ["phase", "fraction"],
          properties: {
            phase: { type: "string", description: "queued, starting, analyze, plan, render, verify, encode, finishing, done, failed" },
            fraction: { type: "number", minimum: 0, maximum: 1, description: "Of the whole job" },
          },
        },
        UploadedFile: {
          type: "object",
          properties: {
            name: { type: "string" }, bytes: { type: "integer" }, container: { type: "string" }, codec: { type: "string" },
            sampleRateHz: { type: "integer" }, channels: { type: "integer" }, durationS: { type: ["number", "null"] },
          },
        },
        OutputFile: {
          type: "object",
          required: ["name", "bytes", "url"],
          properties: { name: { type: "string" }, bytes: { type: "integer" }, url: { type: "string", description: "Download path" } },
        },
        JobSummary: {
          type: "object",
          required: ["id", "status", "progress", "createdAt", "input"],
          properties: {
            id: { type: "string", format: "uuid" },
            status: { $ref: "#/components/schemas/JobStatus" },
            progress: { $ref: "#/components/schemas/Progress" },
            createdAt: { type: "string", format: "date-time" },
            updatedAt: { type: "string", format: "date-time" },
            input: { $ref: "#/components/schemas/UploadedFile" },
            options: { $ref: "#/components/schemas/JobOptions" },
            error: { $ref: "#/components/schemas/Error/properties/error" },
          },
        },
        Job: {
          allOf: [
            { $ref: "#/components/schemas/JobSummary" },
            {
              type: "object",
              properties: {
                attempts: { type: "integer", description: "Runs started (more than 1 after a restart interrupted one)" },
                references: { type: "array", items: { $ref: "#/components/schemas/UploadedFile" } },
                files: { type: "array", items: { $ref: "#/components/schemas/OutputFile" } },
                report: { description: "report.json once done: the analysis (analyzeOnly) or the mastering report", type: ["object", "null"] },
              },
            },
          ],
        },
        Config: {
          type: "object",
          properties: {
            maxUploadBytes: { type: "integer" },
            maxReferences: { type: "integer" },
            workers: { type: "integer" },
            targets: { type: "array", items: { type: "string" } },
            styles: { type: "array", items: { type: "string" } },
            outputs: { type: "array", items: { type: "string" } },
          },
        },
      },
    },
  };
}
